"""Dashboards (officials) and the monthly public disclosure. Reads go through selectors,
which read the statistics tables only."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from dossiers.figures import online_rates
from hanoi_cchc.db_router import use_replica
from procedures.models import Agency, Procedure

from . import charts, closing, exports, pagecache, scores, selectors
from .disclosure import disclosure_for
from .models import AnnualIndex, InternalParScore
from .periods import current_month, last_complete_month, parse_month

FIRST_YEAR = 2021


def _year(request) -> int:
    """The ?nam= year, or this year with a message when it is not a year with data."""
    now = current_month().year
    raw = request.GET.get("nam", "").strip()
    if not raw:
        return now
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= now:
        messages.warning(
            request,
            _(
                "Năm không hợp lệ (chỉ có số liệu từ %(first)s đến %(now)s); "
                "đang hiển thị năm %(now)s."
            )
            % {"first": FIRST_YEAR, "now": now},
        )
        return now
    return year


def _period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), min(date(year, 12, 1), current_month())


def _trend_charts(monthly, yearly, target=None):
    labels = [t.label for t in monthly]
    return {
        "volume": charts.bar_chart(
            labels,
            [
                (_("Tiếp nhận"), [t.received for t in monthly], charts.BLUE),
                (_("Đã giải quyết"), [t.settled for t in monthly], charts.GREEN),
                (_("Quá hạn (cuối kỳ)"), [t.open_overdue for t in monthly], charts.RED),
            ],
            title=_("Số hồ sơ theo tháng"),
        ),
        "rates": charts.line_chart(
            labels,
            [
                (_("Đúng hạn, trước hạn"), [t.on_time_rate for t in monthly], charts.GREEN),
                (_("Trực tuyến"), [t.online_rate for t in monthly], charts.BLUE),
                (_("Hài lòng"), [t.satisfaction_rate for t in monthly], charts.PURPLE),
            ],
            title=_("Tỷ lệ theo tháng (%)"),
            target=target,
            target_label=_("Chỉ tiêu đúng hạn %(v)s%%") % {"v": f"{target.normalize():f}"}
            if target
            else "",
        ),
        "yearly": charts.bar_chart(
            [t.label for t in yearly],
            [
                (_("Tiếp nhận"), [t.received for t in yearly], charts.BLUE),
                (_("Đã giải quyết"), [t.settled for t in yearly], charts.GREEN),
                (_("Giải quyết quá hạn"), [t.settled_late for t in yearly], charts.RED),
            ],
            title=_("Số hồ sơ theo năm"),
        ),
    }


def _on_time_target(progress):
    for p in progress:
        if p.target.metric == "on_time_rate":
            return p.target.value
    return None


@login_required
@use_replica
def city(request):
    """City overview: every target vs actual, trends, ranking, indices, scorecard.

    The tables below the key figures are lazy and rendered inside a fragment cache keyed by
    the statistics version (indicators.pagecache): most requests render none of them.
    """
    agency_ids = selectors.dashboard_scope(request.user)
    year = _year(request)
    first, last = _period(year)
    totals = selectors.period_totals(first=first, last=last)
    coverage = selectors.procedure_coverage(as_of=selectors.year_end(year))
    progress = selectors.targets_progress(year, totals, coverage)
    online = selectors.online_counts(first=first, last=last)
    mine = list(Agency.objects.filter(id__in=agency_ids).order_by("name")) if agency_ids else []
    lazy = pagecache.lazy
    monthly = lazy(lambda: selectors.monthly_trend(first=first, last=last))
    yearly = lazy(lambda: selectors.yearly_trend())
    agencies = lazy(lambda: selectors.ranking(selectors.by_agency(first=first, last=last)))
    return render(
        request,
        "indicators/city.html",
        {
            "year": year,
            "years": range(current_month().year, FIRST_YEAR - 1, -1),
            "this_month": current_month(),  # the monthly table marks it as still running
            "first": first,
            "last": last,
            "totals": totals,
            "coverage": coverage,
            "progress": progress,
            "monthly": monthly,
            "yearly": yearly,
            "charts": lazy(lambda: _trend_charts(monthly, yearly, _on_time_target(progress))),
            "ranked": lazy(lambda: agencies[0]),
            "small": lazy(lambda: agencies[1]),
            "min_settled": selectors.RANKING_MIN_SETTLED,
            "levels": lazy(lambda: selectors.by_level(first=first, last=last)),
            "procedures": lazy(lambda: selectors.by_procedure(first=first, last=last, limit=10)),
            "scorecard": scores.decision766(totals, coverage, online_rates(online)),
            "indices": _latest_indices(),
            "mine": mine,
            "mine_ids": agency_ids or frozenset(),
            "sees_all": agency_ids is None,
            "stamp": pagecache.stamp(),
            "scope": pagecache.scope_key(agency_ids),
            "cache_ttl": pagecache.TTL,
        },
    )


def _latest_indices():
    latest: dict[str, AnnualIndex] = {}
    for idx in AnnualIndex.objects.order_by("kind", "year"):
        latest[idx.kind] = idx
    return list(latest.values())


def _check_agency(agency_ids, agency_id: int) -> None:
    if agency_ids is not None and agency_id not in agency_ids:
        raise Http404  # another agency's detail: not even its existence is confirmed


@login_required
@use_replica
def agency(request, pk: int):
    agency_ids = selectors.dashboard_scope(request.user)
    _check_agency(agency_ids, pk)
    obj = get_object_or_404(Agency, pk=pk)
    year = _year(request)
    first, last = _period(year)
    totals = selectors.period_totals(first=first, last=last, agency_ids=[pk])
    coverage = selectors.procedure_coverage(agency_id=pk, as_of=selectors.year_end(year))
    lazy = pagecache.lazy  # the trend and procedure tables: see city()
    monthly = lazy(lambda: selectors.monthly_trend(first=first, last=last, agency_ids=[pk]))
    yearly = lazy(lambda: selectors.yearly_trend(agency_ids=[pk]))
    online = selectors.online_counts(first=first, last=last, agency_ids=[pk])
    transfers = selectors.transfer_totals(first=first, last=last, agency_ids=[pk]).get(pk)
    progress = selectors.targets_progress(year, totals, coverage, agency_id=pk)
    return render(
        request,
        "indicators/agency.html",
        {
            "agency": obj,
            "year": year,
            "years": range(current_month().year, FIRST_YEAR - 1, -1),
            "this_month": current_month(),  # the monthly table marks it as still running
            "totals": totals,
            "coverage": coverage,
            "progress": progress,
            "monthly": monthly,
            "yearly": yearly,
            "charts": lazy(lambda: _trend_charts(monthly, yearly, _on_time_target(progress))),
            "procedures": lazy(
                lambda: selectors.by_procedure(first=first, last=last, agency_ids=[pk])
            ),
            "circular": scores.circular01(totals, transfers),
            "transfers": transfers,
            "scorecard": scores.decision766(totals, coverage, online_rates(online)),
            "internal_par": InternalParScore.objects.filter(agency=obj).order_by("-year")[:5],
            "stamp": pagecache.stamp(),
            "cache_ttl": pagecache.TTL,
        },
    )


@login_required
@use_replica
def procedure(request, pk: int):
    agency_ids = selectors.dashboard_scope(request.user)
    obj = get_object_or_404(Procedure.objects.select_related("field"), pk=pk)
    year = _year(request)
    first, last = _period(year)
    ids = list(agency_ids) if agency_ids is not None else None
    monthly = selectors.monthly_trend(first=first, last=last, agency_ids=ids, procedure_id=pk)
    yearly = selectors.yearly_trend(agency_ids=ids, procedure_id=pk)
    return render(
        request,
        "indicators/procedure.html",
        {
            "procedure": obj,
            "year": year,
            "years": range(current_month().year, FIRST_YEAR - 1, -1),
            "this_month": current_month(),  # the monthly table marks it as still running
            "totals": selectors.period_totals(
                first=first, last=last, agency_ids=ids, procedure_id=pk
            ),
            "agencies": selectors.by_agency(
                first=first, last=last, agency_ids=ids, procedure_id=pk
            ),
            "monthly": monthly,
            "yearly": yearly,
            "charts": _trend_charts(monthly, yearly),
            "sees_all": agency_ids is None,
        },
    )


@login_required
def indices(request):
    """PAR INDEX, SIPAS and PAPI over the years with components; internal PAR index."""
    selectors.dashboard_scope(request.user)
    by_kind: dict[str, list[AnnualIndex]] = {}
    for idx in AnnualIndex.objects.prefetch_related("components").order_by("year"):
        by_kind.setdefault(idx.kind, []).append(idx)
    blocks = []
    for kind, label in AnnualIndex.Kind.choices:
        rows = by_kind.get(kind, [])
        ymax = float(max((r.total_max for r in rows), default=100))
        chart = (
            charts.line_chart(
                [str(r.year) for r in rows],
                [(_("Tổng điểm"), [r.total for r in rows], charts.BLUE)],
                title=str(label),
                ymax=ymax,
                percent=ymax == 100,  # PAPI is scored in points (8–80), not in %
            )
            if rows
            else None
        )
        components = sorted({(c.order, c.code, c.name) for r in rows for c in r.components.all()})
        table = [
            (
                name,
                [next((c.value for c in r.components.all() if c.code == code), None) for r in rows],
            )
            for _o, code, name in components
        ]
        blocks.append(
            {"kind": kind, "label": label, "rows": rows, "chart": chart, "components": table}
        )
    latest_year = InternalParScore.objects.order_by("-year").values_list("year", flat=True).first()
    trained, officials = selectors.commune_training()
    return render(
        request,
        "indicators/indices.html",
        {
            "blocks": blocks,
            "internal_year": latest_year,
            "internal": InternalParScore.objects.filter(year=latest_year)
            .select_related("agency")
            .order_by("rank", "-score"),
            "trained": trained,
            "officials": officials,
            "trained_rate": selectors.rate(trained, officials),
            "communes": selectors.commune_training_by_commune(),
        },
    )


@use_replica
def disclosure(request):
    """Public monthly disclosure of each agency's and field's results (no login)."""
    default = last_complete_month()
    raw = request.GET.get("thang")
    month = parse_month(raw) or default
    if raw and (parse_month(raw) is None or month > current_month()):
        messages.warning(
            request, _("Tháng không hợp lệ; đang hiển thị tháng %(m)s.") % {"m": f"{default:%m/%Y}"}
        )
        month = default
    fmt = request.GET.get("dinh-dang")
    if fmt not in ("csv", "xlsx"):
        # The tables are lazy and cached per statistics version (indicators.pagecache).
        data = pagecache.lazy(lambda: disclosure_for(month))
        return render(
            request,
            "indicators/disclosure.html",
            {
                "month": month,
                "month_value": f"{month:%Y-%m}",
                "max_month": f"{current_month():%Y-%m}",
                "running": month == current_month(),
                "closed": closing.is_closed(month),
                "data": data,
                "groups": pagecache.lazy(lambda: data.agencies),
                "totals": pagecache.lazy(lambda: data.city.totals),
                "columns": exports.COLUMNS,
                "stamp": pagecache.stamp(),
                "cache_ttl": pagecache.TTL,
            },
        )
    data = disclosure_for(month)
    if fmt == "csv":
        return exports.disclosure_csv(month, data.lines)
    title = _("Kết quả giải quyết TTHC tháng %(m)s") % {"m": f"{month:%m/%Y}"}
    if data.running:
        title += " " + _("(đến nay)")
    return exports.disclosure_xlsx(month, data.lines, title=title)
