"""The applicant's one rating of a returned dossier (Decree 61/2018 art. 31).

Written like every other change (dossiers.services): one transaction, the dossier locked,
one history row through services._record.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput, NotAllowedInState
from .models import Rating
from .workflow import Status

RATING_FIELDS = ("time", "contacts", "information", "attitude", "result", "overall")


def dossier_rate(
    *, dossier_id, levels: dict, comment: str = "", at: datetime | None = None
) -> Rating:
    """The applicant's one rating of a returned dossier (Decree 61/2018 art. 31)."""
    values = {}
    for name in RATING_FIELDS:
        raw = levels.get(name)
        if raw is None and name == "overall":
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise InvalidInput(_("Mỗi tiêu chí cần được đánh giá từ 1 đến 5."))
        values[name] = value
    if "overall" not in values:
        values["overall"] = round(sum(values.values()) / len(values))
    at = at or timezone.now()
    from .services import _lock, _record

    with transaction.atomic():
        dossier = _lock(dossier_id)
        if dossier.status != Status.RETURNED:
            raise NotAllowedInState(_("Chỉ đánh giá được hồ sơ đã trả kết quả."))
        if Rating.objects.filter(dossier=dossier).exists():
            raise NotAllowedInState(_("Hồ sơ này đã được đánh giá."))
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    dossier=dossier, created_at=at, comment=comment.strip(), **values
                )
        except IntegrityError:
            raise NotAllowedInState(_("Hồ sơ này đã được đánh giá.")) from None
        _record(
            dossier,
            actor=None,
            action="rate",
            at=at,
            from_status=dossier.status,
            agency_id=dossier.agency_id,
            due_before=dossier.due_at,
            data={"levels": values},
        )
    return rating
