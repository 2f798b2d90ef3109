"""Filters of the public catalogue API (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agency, Field, Procedure
from .search import fold, search_procedures

LEVEL_FLAGS = {"city": "at_city", "district": "at_district", "commune": "at_commune"}


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Tìm theo tên hoặc mã (gõ có hoặc không dấu)"),
        max_length=200,
    )
    # The name most API clients try first; same search as q.
    search = django_filters.CharFilter(
        method="filter_q", label=_("Như q: tìm theo tên hoặc mã"), max_length=200
    )
    field = django_filters.ModelChoiceFilter(queryset=Field.objects.all(), label=_("Lĩnh vực"))
    agency = django_filters.ModelChoiceFilter(
        field_name="agencies", queryset=Agency.objects.all(), label=_("Cơ quan thực hiện")
    )
    level = django_filters.ChoiceFilter(
        method="filter_level",
        choices=[("city", _("Cấp tỉnh")), ("district", _("Cấp huyện")), ("commune", _("Cấp xã"))],
        label=_("Cấp thực hiện"),
    )
    online_mode = django_filters.ChoiceFilter(choices=Procedure.OnlineMode.choices)
    dvcqg_integrated = django_filters.BooleanFilter()

    class Meta:
        model = Procedure
        fields = ["q", "search", "field", "agency", "level", "online_mode", "dvcqg_integrated"]

    def filter_q(self, queryset, name, value):
        return search_procedures(queryset, value)

    def filter_level(self, queryset, name, value):
        return queryset.filter(**{LEVEL_FLAGS[value]: True})


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm theo tên"), max_length=200)
    level = django_filters.ChoiceFilter(choices=Agency.Level.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    current = django_filters.BooleanFilter(
        method="filter_current", label=_("Chỉ đơn vị còn hiệu lực")
    )

    class Meta:
        model = Agency
        fields = ["q", "level", "parent", "current"]

    def filter_q(self, queryset, name, value):
        # Agencies are few (hundreds, not millions) and names carry diacritics the database
        # cannot fold portably: fold them here, then filter by id.
        words = fold(value).split()[:8]
        if not words:
            return queryset
        ids = [
            pk
            for pk, agency_name, code in queryset.values_list("pk", "name", "identifier_code")
            if all(w in f"{fold(agency_name)} {code.lower()}" for w in words)
        ]
        return queryset.filter(pk__in=ids)

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = Q(valid_to__isnull=True)
        return queryset.filter(current) if value else queryset.exclude(current)
