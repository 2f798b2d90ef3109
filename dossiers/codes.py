"""Dossier codes: `<agency identifier>-YYMMDD-XXXX` (Circular 01/2018 art. 19).

The four-digit sequence restarts every day per agency. Real systems have issued the same
code twice when two officials received at the same moment, so the number comes from one
atomic upsert on DossierSequence inside the intake transaction:

    INSERT ... ON CONFLICT (agency_id, day) DO UPDATE SET last = last + 1 RETURNING last

PostgreSQL takes the row lock as part of the upsert (a concurrent intake for the same
agency and day waits until the first transaction ends, then increments the committed
value), so two transactions never get the same number. A rolled-back intake rolls its
increment back with it, so numbers are also gapless. SQLite (3.35+) understands the same
statement; there the whole database is write-locked anyway.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection

from procedures.models import Agency

from .models import DossierSequence
from .rules import local_tz


def sequence_day(received_at: datetime) -> date:
    """The receipt date in Hanoi time: a dossier received at 23:30 UTC belongs to tomorrow."""
    return received_at.astimezone(local_tz()).date()


def next_sequence(*, agency_id: int, day: date) -> int:
    """Take the next number for agency and day. Must run inside the intake transaction."""
    table = connection.ops.quote_name(DossierSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, day])
        (value,) = cursor.fetchone()
    return int(value)


def format_code(identifier_code: str, day: date, number: int) -> str:
    """000.00.16.H26-210108-0001. Past 9,999 in a day the number simply grows a digit."""
    return f"{identifier_code}-{day:%y%m%d}-{number:04d}"


def assign_code(*, agency: Agency, received_at: datetime) -> tuple[str, date, int]:
    """Return (code, sequence day, number) for a dossier received now by agency."""
    day = sequence_day(received_at)
    number = next_sequence(agency_id=agency.pk, day=day)
    return format_code(agency.identifier_code, day, number), day, number
