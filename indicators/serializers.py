"""Serializers of the read-only indicators API (statistics tables, never dossiers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import AnnualIndex, AnnualIndexComponent
from .periods import parse_month


def _rate():
    return serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )


class MonthField(serializers.CharField):
    """YYYY-MM, as the dashboards use."""

    def to_internal_value(self, data):
        month = parse_month(str(data))
        if month is None:
            raise serializers.ValidationError(_("Tháng phải có dạng YYYY-MM, ví dụ 2026-10."))
        return month


class PeriodQuerySerializer(serializers.Serializer):
    first = MonthField(required=False, help_text="YYYY-MM")
    last = MonthField(required=False, help_text="YYYY-MM")
    agency = serializers.IntegerField(min_value=1, required=False)
    procedure = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs):
        first, last = attrs.get("first"), attrs.get("last")
        if first and last and first > last:
            raise serializers.ValidationError({"first": [_("Tháng đầu phải trước tháng cuối.")]})
        if first and last and (last.year - first.year) > 10:
            raise serializers.ValidationError({"first": [_("Khoảng thời gian tối đa 10 năm.")]})
        return attrs


class TotalsSerializer(serializers.Serializer):
    """Counts, and each rate with the numerator and denominator it is computed from."""

    label = serializers.CharField(read_only=True)
    key = serializers.CharField(read_only=True, allow_null=True)
    received = serializers.IntegerField(read_only=True)
    received_desk = serializers.IntegerField(read_only=True)
    received_post = serializers.IntegerField(read_only=True)
    received_online = serializers.IntegerField(read_only=True)
    received_dvcqg = serializers.IntegerField(read_only=True)
    carried_over = serializers.IntegerField(read_only=True)
    settled = serializers.IntegerField(read_only=True)
    settled_early = serializers.IntegerField(read_only=True)
    settled_on_time = serializers.IntegerField(read_only=True)
    settled_late = serializers.IntegerField(read_only=True)
    refused = serializers.IntegerField(read_only=True)
    withdrawn = serializers.IntegerField(read_only=True)
    open_not_due = serializers.IntegerField(read_only=True)
    open_overdue = serializers.IntegerField(read_only=True)
    synced = serializers.IntegerField(read_only=True)
    rated = serializers.IntegerField(read_only=True)
    satisfied = serializers.IntegerField(read_only=True)
    on_time_rate = _rate()
    online_rate = _rate()
    satisfaction_rate = _rate()
    sync_rate = _rate()
    denominators = serializers.SerializerMethodField()

    def get_denominators(self, totals) -> dict[str, str]:
        # DOMAIN §7: state the denominator of every rate where it appears.
        return {
            "on_time_rate": str(_("(trước hạn + đúng hạn) / hồ sơ đã giải quyết")),
            "online_rate": str(_("hồ sơ trực tuyến / hồ sơ tiếp nhận")),
            "satisfaction_rate": str(_("(hài lòng + rất hài lòng) / lượt đánh giá")),
            "sync_rate": str(_("hồ sơ đã đồng bộ DVCQG / hồ sơ tiếp nhận")),
        }


class CoverageSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True)
    full = serializers.IntegerField(read_only=True)
    partial = serializers.IntegerField(read_only=True)
    online = serializers.IntegerField(read_only=True)
    online_integrated = serializers.IntegerField(read_only=True)
    online_rate = _rate()
    integration_rate = _rate()


class AnnualIndexComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualIndexComponent
        fields = ["code", "name", "value", "max_value"]


class AnnualIndexSerializer(serializers.ModelSerializer):
    components = AnnualIndexComponentSerializer(many=True, read_only=True)

    class Meta:
        model = AnnualIndex
        fields = ["kind", "year", "total", "total_max", "rank", "source", "components"]
