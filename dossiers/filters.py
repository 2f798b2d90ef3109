"""Filters of the dossier API (django-filter). Scoping is done before, by the selector."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Channel, Field, Procedure

from .models import Dossier
from .selectors import overdue_q
from .workflow import Status


class DossierFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Trạng thái"))
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("Cơ quan tiếp nhận")
    )
    current_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("Cơ quan đang xử lý")
    )
    procedure = django_filters.ModelChoiceFilter(
        queryset=Procedure.objects.all(), label=_("Thủ tục")
    )
    field = django_filters.ModelChoiceFilter(queryset=Field.objects.all(), label=_("Lĩnh vực"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Kênh nộp"))
    sync_state = django_filters.ChoiceFilter(
        choices=Dossier.SyncState.choices, label=_("Đồng bộ DVCQG")
    )
    code = django_filters.CharFilter(lookup_expr="exact", label=_("Mã hồ sơ"), max_length=60)
    received_after = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="gte", label=_("Tiếp nhận từ")
    )
    received_before = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="lt", label=_("Tiếp nhận trước")
    )
    due_after = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="gte", label=_("Hạn trả từ")
    )
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", label=_("Hạn trả trước")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Quá hạn"))

    class Meta:
        model = Dossier
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
