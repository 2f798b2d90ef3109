"""Compare our dossiers with what DVCQG acknowledged and re-queue what is missing.

    manage.py reconcile_dvcqg [--since 2026-01-01] [--agency ID] [--remote] [--inline]
                              [--dry-run] [--batch 500]

Locally, a message is acknowledged when OutboxMessage.delivered_at is set. With --remote
(needs DVCQG_ACK_ENDPOINT) the command also asks DVCQG which keys it holds for each
dossier; a delivered message DVCQG does not know is marked undelivered again, together
with every later message of that dossier, so the re-delivery keeps the order (DVCQG
de-duplicates those it already has). Waiting rows lose their backoff and every dossier
with something pending is queued (or delivered at once with --inline).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Q

from dossiers import sync
from dossiers.models import Dossier, OutboxMessage


def fetch_acknowledged(dossier_id: int) -> set[str]:
    query = urllib.parse.urlencode({"dossier_id": dossier_id})
    url = f"{settings.DVCQG_ACK_ENDPOINT}?{query}"
    with urllib.request.urlopen(url, timeout=settings.DVCQG_TIMEOUT) as response:  # noqa: S310
        return set(json.load(response).get("keys", []))


class Command(BaseCommand):
    help = "Đối soát hồ sơ với Cổng DVCQG và đưa lại vào hàng đợi những gì còn thiếu."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD (nộp từ ngày)")
        parser.add_argument("--agency", type=int, help="chỉ hồ sơ của cơ quan này (id)")
        parser.add_argument("--remote", action="store_true", help="hỏi DVCQG các khóa đã nhận")
        parser.add_argument("--inline", action="store_true", help="gửi ngay, không qua Celery")
        parser.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không sửa")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, since, agency, remote, inline, dry_run, batch, **options):
        if remote and not settings.DVCQG_ACK_ENDPOINT:
            raise CommandError("--remote cần cấu hình DVCQG_ACK_ENDPOINT")
        dossiers = Dossier.objects.all()
        if since:
            dossiers = dossiers.filter(submitted_at__date__gte=since)
        if agency:
            dossiers = dossiers.filter(agency_id=agency)
        has_rows = Exists(OutboxMessage.objects.filter(dossier_id=OuterRef("pk")))
        never_queued = dossiers.filter(~has_rows).count()
        ids = dossiers.filter(has_rows).order_by("pk").values_list("pk", flat=True)
        total = ids.count()
        self.stdout.write(f"Đối soát {total} hồ sơ có thông điệp đồng bộ…")

        stats = {"checked": 0, "missing_remote": 0, "requeued": 0, "delivered_now": 0}
        last_pk = 0
        while True:
            chunk = list(ids.filter(pk__gt=last_pk)[:batch])
            if not chunk:
                break
            last_pk = chunk[-1]
            for dossier_id in chunk:
                self._reconcile_one(dossier_id, remote, inline, dry_run, stats)
            stats["checked"] += len(chunk)
            self.stdout.write(
                f"  {stats['checked']}/{total} hồ sơ · thiếu ở DVCQG: {stats['missing_remote']}"
                f" · đưa lại hàng đợi: {stats['requeued']}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {stats['checked']} hồ sơ đã kiểm tra, {stats['missing_remote']} thông điệp"
                f" DVCQG chưa có, {stats['requeued']} hồ sơ đưa lại hàng đợi,"
                f" {stats['delivered_now']} thông điệp gửi ngay."
                + (" (chạy thử, không sửa gì)" if dry_run else "")
            )
        )
        if never_queued:
            self.stdout.write(
                self.style.WARNING(f"{never_queued} hồ sơ chưa từng có thông điệp đồng bộ.")
            )

    def _reconcile_one(self, dossier_id, remote, inline, dry_run, stats):
        rows = OutboxMessage.objects.filter(dossier_id=dossier_id).order_by("id")
        if remote:
            try:
                acknowledged = fetch_acknowledged(dossier_id)
            except OSError as exc:
                raise CommandError(f"Không hỏi được DVCQG: {exc}") from exc
            delivered = list(rows.filter(delivered_at__isnull=False).values_list("id", "dedup_key"))
            missing = [pk for pk, key in delivered if key not in acknowledged]
            if missing:
                stats["missing_remote"] += len(missing)
                if not dry_run:
                    # From the first missing message on, so the re-delivery keeps the order.
                    rows.filter(id__gte=min(missing)).update(
                        delivered_at=None,
                        next_attempt_at=None,
                        last_error="DVCQG không có thông điệp này (đối soát)",
                    )
        pending = rows.filter(delivered_at__isnull=True)
        if not pending.exists():
            if not dry_run:
                sync._set_state(dossier_id, Dossier.SyncState.SYNCED)
            return
        stats["requeued"] += 1
        if dry_run:
            return
        pending.filter(~Q(next_attempt_at=None)).update(next_attempt_at=None)
        if inline:
            stats["delivered_now"] += sync.deliver_pending(dossier_id=dossier_id).delivered
            return
        from dossiers.tasks import deliver_outbox

        try:
            deliver_outbox.delay(dossier_id)
        except Exception as exc:  # broker down: say so, the rows stay pending
            raise CommandError(f"Không đưa được vào hàng đợi Celery: {exc}") from exc
