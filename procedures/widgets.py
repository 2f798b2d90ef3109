"""A list of agencies people can find their way in (issue 14: a plain list of 146).

The options are grouped by level (optgroups: the city, departments, wards, communes, and
units that ended, e.g. the former districts "đến 30/6/2025"), each group in Vietnamese
reading order. static/js/select-filter.js adds a type-to-filter box above any select
marked `data-filter`; without JavaScript the grouped list still works on its own.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Agency
from .search import fold

Level, UnitType = Agency.Level, Agency.UnitType

# (order, label) of each group of current agencies; a unit that ended goes to its level's
# "until" group after all of these.
GROUPS = {
    Level.CITY: (0, _("UBND Thành phố, Trung tâm Phục vụ hành chính công")),
    Level.SERVICE_CENTER: (0, _("UBND Thành phố, Trung tâm Phục vụ hành chính công")),
    Level.DEPARTMENT: (1, _("Sở, ban, ngành")),
    (Level.COMMUNE, UnitType.WARD): (2, _("Phường")),
    (Level.COMMUNE, UnitType.COMMUNE): (3, _("Xã")),
    Level.COMMUNE: (4, _("Cấp xã")),
    Level.DISTRICT: (5, _("Cấp huyện")),
}


def agency_group(agency: Agency) -> tuple[int, str]:
    """The group an agency is listed in: (order, label)."""
    if agency.valid_to is not None:
        day = agency.valid_to
        level = Level(agency.level).label if agency.level in Level.values else agency.level
        return (
            10,
            gettext("%(level)s (đến %(day)s)")
            % {"level": level, "day": f"{day.day}/{day.month}/{day.year}"},
        )
    order, label = GROUPS.get((agency.level, agency.unit_type)) or GROUPS.get(
        agency.level, (9, _("Khác"))
    )
    return order, str(label)


class AgencySelect(forms.Select):
    """A Select of a ModelChoiceField over agencies, grouped by level, filterable by typing."""

    def __init__(self, attrs=None):
        attrs = {"data-filter": "agency", **(attrs or {})}
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault(
            "data-filter-placeholder", gettext("Gõ tên cơ quan để lọc danh sách…")
        )
        context["widget"]["attrs"].setdefault(
            "data-filter-empty", gettext("Không có cơ quan nào khớp")
        )
        return context

    def optgroups(self, name, value, attrs=None):
        values = {str(v) for v in value if v is not None}
        blank, grouped = [], {}
        for option_value, label in self.choices:
            instance = getattr(option_value, "instance", None)
            if instance is None:
                blank.append((option_value, label))
                continue
            grouped.setdefault(agency_group(instance), []).append((option_value, label))
        groups = []
        index = 0
        for option_value, label in blank:
            option = self.create_option(
                name, option_value, label, str(option_value) in values, index, attrs=attrs
            )
            groups.append((None, [option], index))
            index += 1
        for (_order, group_label), options in sorted(grouped.items()):
            rendered = []
            for option_value, label in sorted(options, key=lambda o: (fold(str(o[1])), str(o[1]))):
                rendered.append(
                    self.create_option(
                        name,
                        option_value,
                        label,
                        str(option_value) in values,
                        index,
                        subindex=len(rendered),
                        attrs=attrs,
                    )
                )
                index += 1
            groups.append((group_label, rendered, index))
        return groups
