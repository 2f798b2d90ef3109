"""Decision 766/QĐ-TTg figures of online work: digitisation (22 points) and online payment
(10 points), over the dossiers an agency (or the city) received in a period.

Each value is (rate in %, or None when there is nothing to count; its basis in words),
keyed by the sub-indicator codes of indicators.reference, for indicators.scores.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from .codes import local_tz
from .documents import digitisation_terms
from .models import Dossier
from .payments import payment_terms


def _rate(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"))


def received_in(*, first: date, last: date, agency_ids=None):
    """Dossiers received from `first` to `last` (Hanoi dates, inclusive), optionally scoped."""
    tz = local_tz()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    dossiers = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        dossiers = dossiers.filter(agency_id__in=list(agency_ids))
    return dossiers


def online_metrics(*, first: date, last: date, agency_ids=None) -> dict:
    """The three 766 sub-indicators this module makes computable (one SQL statement)."""
    dossiers = received_in(first=first, last=last, agency_ids=agency_ids)
    doc_annotations, doc_aggregates = digitisation_terms()
    pay_annotations, pay_aggregates = payment_terms()
    digitised = paid = dossiers.annotate(**doc_annotations, **pay_annotations).aggregate(
        **doc_aggregates, **pay_aggregates
    )

    def basis(num, den, unit):
        return _("%(n)s/%(d)s %(unit)s") % {"n": num, "d": den, "unit": unit}

    return {
        "digitisation_intake": (
            _rate(digitised["received_digitised"], digitised["received"]),
            basis(digitised["received_digitised"], digitised["received"], _("hồ sơ tiếp nhận")),
        ),
        "digitisation_result": (
            _rate(digitised["result_digitised"], digitised["with_result"]),
            basis(digitised["result_digitised"], digitised["with_result"], _("hồ sơ có kết quả")),
        ),
        "payment_online": (
            _rate(paid["fee_paid_online"], paid["fee_paid"]),
            basis(paid["fee_paid_online"], paid["fee_paid"], _("hồ sơ đã nộp phí, lệ phí")),
        ),
    }
