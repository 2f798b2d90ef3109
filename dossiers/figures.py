"""Decision 766/QĐ-TTg figures of online work: digitisation (22 points) and online payment
(10 points), over the dossiers an agency (or the city) received in a period.

Each value is (rate in %, or None when there is nothing to count; its basis in words),
keyed by the sub-indicator codes of indicators.reference, for indicators.scores.

The pages never count dossiers per request: the statistics tables keep the six counts per
cell and month (indicators.models.MonthlyStat.ONLINE_FIELDS), written by the recomputes
from `online_cells` (ORM) or `ONLINE_SQL` (the PostgreSQL full recompute), and read back
summed by indicators.selectors.online_counts. `online_metrics` counts the dossiers directly:
it is the definition the tests hold the statistics to.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from .codes import local_tz
from .documents import digitisation_terms
from .models import Dossier, DossierFile, Payment
from .payments import payment_terms

# The names of the 766 counts in the statistics tables, from the names of the terms of
# dossiers.documents.digitisation_terms and dossiers.payments.payment_terms.
STAT_NAMES = {
    "received": "intake_total",
    "received_digitised": "intake_digitised",
    "with_result": "result_total",
    "result_digitised": "result_digitised",
    "fee_paid": "fee_paid",
    "fee_paid_online": "fee_paid_online",
}


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
    """The three 766 sub-indicators, counted from the dossiers (one SQL statement).

    The reference definition; pages read the same counts from the statistics tables.
    """
    dossiers = received_in(first=first, last=last, agency_ids=agency_ids)
    doc_annotations, doc_aggregates = digitisation_terms()
    pay_annotations, pay_aggregates = payment_terms()
    counts = dossiers.annotate(**doc_annotations, **pay_annotations).aggregate(
        **doc_aggregates, **pay_aggregates
    )
    return online_rates({STAT_NAMES[k]: v for k, v in counts.items()})


def online_rates(counts: dict) -> dict:
    """The three sub-indicators from the six counts (named as in the statistics tables)."""

    def basis(num, den, unit):
        return _("%(n)s/%(d)s %(unit)s") % {"n": num, "d": den, "unit": unit}

    def line(num_name, den_name, unit):
        num, den = counts.get(num_name) or 0, counts.get(den_name) or 0
        return _rate(num, den), basis(num, den, unit)

    return {
        "digitisation_intake": line("intake_digitised", "intake_total", _("hồ sơ tiếp nhận")),
        "digitisation_result": line("result_digitised", "result_total", _("hồ sơ có kết quả")),
        "payment_online": line("fee_paid_online", "fee_paid", _("hồ sơ đã nộp phí, lệ phí")),
    }


def online_cells(*, start: datetime, end: datetime, cell_q=None):
    """The six counts per (agency, field, procedure) over dossiers received in [start, end).

    Rows of dicts with agency_id, field_id, procedure_id and the STAT_NAMES counts; the
    incremental statistics path (indicators.services) writes them into the month's cells.
    """
    dossiers = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if cell_q is not None:
        dossiers = dossiers.filter(cell_q)
    doc_annotations, doc_aggregates = digitisation_terms()
    pay_annotations, pay_aggregates = payment_terms()
    aggregates = {**doc_aggregates, **pay_aggregates}
    return (
        dossiers.annotate(**doc_annotations, **pay_annotations)
        .values("agency_id", "field_id", "procedure_id")
        .annotate(**{STAT_NAMES[k]: agg for k, agg in aggregates.items()})
        .order_by()
    )


def online_sql(dossier_alias: str) -> dict[str, str]:
    """SQL FILTER conditions of the six counts over a dossier row (full recompute).

    The same terms as online_cells; `IN (SELECT …)` rather than EXISTS so PostgreSQL
    hashes each subquery once instead of probing an index per dossier. The randomised
    test of the statistics holds both paths to online_metrics.
    """
    d = dossier_alias
    files = DossierFile._meta.db_table
    payments = Payment._meta.db_table
    Kind = DossierFile.Kind
    intake_kinds = ", ".join(f"'{k}'" for k in (Kind.APPLICANT, Kind.SUPPLEMENT, Kind.SCAN))
    # Table names and choice values come from the models, nothing from input.
    docs = f"SELECT dossier_id FROM {files} WHERE kind IN ({intake_kinds})"  # noqa: S608
    results = f"SELECT dossier_id FROM {files} WHERE kind = '{Kind.RESULT}'"  # noqa: S608
    online = f"SELECT dossier_id FROM {payments} WHERE state = '{Payment.State.PAID}'"  # noqa: S608
    coded = f"{d}.code IS NOT NULL"
    result = f"{d}.result_ready_at IS NOT NULL"
    paid = f"{d}.fee_paid_at IS NOT NULL"
    return {
        "intake_total": coded,
        "intake_digitised": f"{coded} AND {d}.id IN ({docs})",
        "result_total": result,
        "result_digitised": f"{result} AND {d}.id IN ({results})",
        "fee_paid": paid,
        "fee_paid_online": f"{paid} AND {d}.id IN ({online})",
    }
