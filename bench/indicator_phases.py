"""Indicator phases of the benchmark (issue 9), kept apart from bench/run.py.

After the full recompute: refresh the planner's statistics of the roll-up tables and close
the last complete month, so the default disclosure is a closed month read from its
published snapshot (what the public sees most of the month). The phases then measure, at
20 requests a second, the city dashboard and the disclosure (already in run.py), and here:
the running month's disclosure, an agency page and the indicators API.
"""

from __future__ import annotations

ROLLUP_TABLES = (
    "indicators_monthlystat",
    "indicators_agencymonthstat",
    "indicators_fieldmonthstat",
    "indicators_proceduremonthstat",
    "indicators_citymonthstat",
)


def prepare(db: str) -> dict:
    """Analyse the statistics tables and close the last complete month; returns a summary."""
    from django.db import connection

    from indicators import closing
    from indicators.models import AgencyMonthStat
    from indicators.periods import last_complete_month

    with connection.cursor() as cur:  # autocommit: VACUUM cannot run in a transaction
        for table in ROLLUP_TABLES:
            cur.execute(f"VACUUM ANALYZE {table}")
    month = last_complete_month()
    closed = closing.month_close(month=month)
    agency = (
        AgencyMonthStat.objects.filter(month=month, published=False)
        .order_by("-received")
        .values_list("agency_id", flat=True)
        .first()
    )
    return {"closed": [m.isoformat() for m in closed], "busiest_agency": agency}


def phases(get, inspector, dur: int, summary: dict) -> list[tuple]:
    """Extra open-loop phases: (name, request maker, rate, duration, connections)."""
    from indicators.periods import current_month

    running = f"/chi-so/cong-khai/?thang={current_month():%Y-%m}"
    agency = summary.get("busiest_agency")
    out = [
        ("disclosure_running_20", get(running), 20, dur, 16),
        ("indicators_api_20", get("/api/v1/indicators/totals/", inspector), 20, dur, 16),
    ]
    if agency:
        out.append(("agency_20", get(f"/chi-so/co-quan/{agency}/", inspector), 20, dur, 16))
    return out
