"""The monthly public disclosure: per agency and per field, published once the month closes.

A closed month shows its published snapshot (the roll-up rows with published = True, see
indicators.closing) and, beside each figure changed since, the restatement; the running
month is marked "đến nay". The page, the CSV and the XLSX are built from the same lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from . import closing, selectors
from .exports import Line, restatement_note
from .models import Restatement
from .periods import current_month


@dataclass
class Disclosure:
    month: date
    running: bool
    closed: bool
    city: Line
    agencies: dict[str, list[Line]]
    fields: list[Line]
    restatements: list[Restatement]

    @property
    def city_lines(self) -> list[Line]:
        return [self.city]

    @property
    def lines(self) -> list[Line]:
        out = [line for group in self.agencies.values() for line in group]
        return [*out, *self.fields, self.city]


def disclosure_for(month: date) -> Disclosure:
    """The disclosure of one month (4 queries on roll-ups, plus 1 when closed)."""
    closed = closing.is_closed(month)
    restated = closing.restatements_for(month) if closed else []
    notes: dict[tuple, list[str]] = defaultdict(list)
    for r in restated:
        notes[(r.dimension, r.key)].append(restatement_note(r))
    D = Restatement.Dimension
    agencies: dict[str, list[Line]] = {}
    for t in selectors.by_agency(first=month, last=month):
        group = str(t.extra.get("level_label") or "")
        agencies.setdefault(group, []).append(Line(group, t.label, t, notes[(D.AGENCY, t.key)]))
    field_group = _("Lĩnh vực")
    fields = [
        Line(field_group, t.label, t, notes[(D.FIELD, t.key)])
        for t in selectors.by_field(first=month, last=month)
    ]
    totals = selectors.period_totals(first=month, last=month)
    city = Line(_("Toàn Thành phố"), _("Toàn Thành phố"), totals, notes[(D.CITY, 0)])
    names = {(D.CITY, 0): city.label}
    names.update({(D.AGENCY, ln.key): ln.label for g in agencies.values() for ln in g})
    names.update({(D.FIELD, ln.key): ln.label for ln in fields})
    for r in restated:
        r.subject = names.get((r.dimension, r.key), f"{r.get_dimension_display()} #{r.key}")
        r.note = restatement_note(r)
    return Disclosure(
        month=month,
        running=month == current_month(),
        closed=closed,
        city=city,
        agencies=agencies,
        fields=fields,
        restatements=restated,
    )
