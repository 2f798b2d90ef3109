"""Fill the search box's columns of dossiers written before migration 0009 (issue 10).

Batches of --batch rows, one transaction each, in primary-key order; safe to stop and run
again (only rows still lacking the columns are touched). Run once after migrating a large
database: until then the search box does not find those older dossiers.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from dossiers.worklist_search import backfill


class Command(BaseCommand):
    help = "Fill the worklist search columns of older dossiers, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, batch: int, **options):
        started = time.monotonic()

        def log(filled: int, last_id: int) -> None:
            if filled % (batch * 20) == 0:
                elapsed = time.monotonic() - started
                self.stdout.write(f"{filled} rows, up to id {last_id}, {elapsed:.0f} s")

        filled = backfill(batch=max(batch, 1), log=log)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{filled} dossiers filled in {elapsed:.0f} s"))
