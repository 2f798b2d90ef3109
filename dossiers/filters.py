"""Filters of the dossier API (django-filter). Scoping is done before, by the selector."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Channel, Field, Procedure

from .models import Dossier
from .rules import overdue_q
from .workflow import Status


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant, normalised to UTC and bounded to the years the portal knows.

    PostgreSQL rejects UTC offsets beyond ±15:59 and Python cannot shift year 1 or 9999:
    such input is a 400, never a database error.
    """

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError):
                value = None
            if value is None or not 1900 <= value.year <= 2200:
                raise ValidationError(
                    {self.field_name: [_("Thời điểm phải trong khoảng năm 1900–2200.")]}
                )
        return super().filter(qs, value)


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
    received_after = InstantFilter(
        field_name="received_at", lookup_expr="gte", label=_("Tiếp nhận từ")
    )
    received_before = InstantFilter(
        field_name="received_at", lookup_expr="lt", label=_("Tiếp nhận trước")
    )
    due_after = InstantFilter(field_name="due_at", lookup_expr="gte", label=_("Hạn trả từ"))
    due_before = InstantFilter(field_name="due_at", lookup_expr="lt", label=_("Hạn trả trước"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Quá hạn"))

    class Meta:
        model = Dossier
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
