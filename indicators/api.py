"""Read-only API of statistics and indicators (after the dossier API, as the issue asks).

Scoping follows the dashboards (indicators.selectors.dashboard_scope): inspectors and the
administrator read the whole city; an agency official reads only their own agencies here
(the city-wide disclosure is the public page). Catalogue coverage and the published
annual indices are public.
"""

from __future__ import annotations

from datetime import date

from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from hanoi_cchc.api_errors import ERROR_EXAMPLES, error_responses
from hanoi_cchc.db_router import use_replica
from procedures.access import scope_for

from . import selectors
from .models import AnnualIndex
from .periods import current_month
from .serializers import (
    AnnualIndexSerializer,
    CoverageSerializer,
    PeriodQuerySerializer,
    TotalsSerializer,
)

PERIOD_PARAMETERS = [
    OpenApiParameter("first", str, description="Tháng đầu, YYYY-MM (mặc định: tháng 1 năm nay)"),
    OpenApiParameter("last", str, description="Tháng cuối, YYYY-MM (mặc định: tháng này)"),
    OpenApiParameter("agency", int, description="Một cơ quan trong phạm vi của bạn"),
    OpenApiParameter("procedure", int),
]
TOTALS_EXAMPLE = {
    "label": "",
    "key": None,
    "received": 1200,
    "received_desk": 700,
    "received_post": 20,
    "received_online": 400,
    "received_dvcqg": 80,
    "carried_over": 35,
    "settled": 1150,
    "settled_early": 900,
    "settled_on_time": 245,
    "settled_late": 5,
    "refused": 10,
    "withdrawn": 4,
    "open_not_due": 60,
    "open_overdue": 2,
    "synced": 1190,
    "rated": 500,
    "satisfied": 460,
    "on_time_rate": 99.57,
    "online_rate": 40.0,
    "satisfaction_rate": 92.0,
    "sync_rate": 99.17,
    "denominators": {
        "on_time_rate": "(trước hạn + đúng hạn) / hồ sơ đã giải quyết",
        "online_rate": "hồ sơ trực tuyến / hồ sơ tiếp nhận",
        "satisfaction_rate": "(hài lòng + rất hài lòng) / lượt đánh giá",
        "sync_rate": "hồ sơ đã đồng bộ DVCQG / hồ sơ tiếp nhận",
    },
}


class IsOfficial(permissions.BasePermission):
    def has_permission(self, request, view):
        return scope_for(request.user).is_official


def _period(request):
    """(first, last, agency_ids or None for the city, procedure id) from the query."""
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    q = query.validated_data
    last = q.get("last") or current_month()
    first = q.get("first") or date(last.year, 1, 1)
    if first > last:
        raise serializers.ValidationError({"first": ["Tháng đầu phải trước tháng cuối."]})
    scope = scope_for(request.user)
    allowed = scope.agency_ids  # None = the whole city
    agency = q.get("agency")
    if agency is not None:
        if allowed is not None and agency not in allowed:
            raise NotFound()  # another agency's figures: not revealed
        agency_ids = [agency]
    else:
        agency_ids = None if allowed is None else sorted(allowed)
    return first, last, agency_ids, q.get("procedure")


class TotalsView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsOfficial]

    @extend_schema(
        summary="Tổng hợp kết quả giải quyết hồ sơ của một kỳ",
        parameters=PERIOD_PARAMETERS,
        responses={200: TotalsSerializer, **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample("Tổng hợp", value=TOTALS_EXAMPLE, response_only=True),
            *ERROR_EXAMPLES,
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        first, last, agency_ids, procedure = _period(request)
        totals = selectors.period_totals(
            first=first, last=last, agency_ids=agency_ids, procedure_id=procedure
        )
        return Response(TotalsSerializer(totals).data)


class ByAgencyView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsOfficial]

    @extend_schema(
        summary="Kết quả theo cơ quan (trong phạm vi của bạn)",
        parameters=PERIOD_PARAMETERS,
        responses={200: TotalsSerializer(many=True), **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Theo cơ quan",
                value=[{**TOTALS_EXAMPLE, "label": "UBND phường Hoàn Kiếm", "key": "7"}],
                response_only=True,
            ),
            *ERROR_EXAMPLES,
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        first, last, agency_ids, procedure = _period(request)
        rows = selectors.by_agency(
            first=first, last=last, agency_ids=agency_ids, procedure_id=procedure
        )
        return Response(TotalsSerializer(rows, many=True).data)


class ByFieldView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsOfficial]

    @extend_schema(
        summary="Kết quả theo lĩnh vực (trong phạm vi của bạn)",
        parameters=PERIOD_PARAMETERS[:3],
        responses={200: TotalsSerializer(many=True), **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Theo lĩnh vực",
                value=[{**TOTALS_EXAMPLE, "label": "Hộ tịch", "key": "3"}],
                response_only=True,
            ),
            *ERROR_EXAMPLES,
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        first, last, agency_ids, _procedure = _period(request)
        rows = selectors.by_field(first=first, last=last, agency_ids=agency_ids)
        return Response(TotalsSerializer(rows, many=True).data)


class MonthlyView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsOfficial]

    @extend_schema(
        summary="Diễn biến theo tháng",
        parameters=PERIOD_PARAMETERS,
        responses={200: TotalsSerializer(many=True), **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Theo tháng",
                value=[{**TOTALS_EXAMPLE, "label": "10/2026", "key": "2026-10-01"}],
                response_only=True,
            ),
            *ERROR_EXAMPLES,
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        first, last, agency_ids, procedure = _period(request)
        rows = selectors.monthly_trend(
            first=first, last=last, agency_ids=agency_ids, procedure_id=procedure
        )
        return Response(TotalsSerializer(rows, many=True).data)


class CoverageQuerySerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, required=False)


class CoverageView(APIView):
    """From the public catalogue: procedures online and integrated with DVCQG."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Thủ tục trực tuyến và tích hợp Cổng DVCQG",
        parameters=[OpenApiParameter("agency", int)],
        responses={200: CoverageSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "Độ phủ",
                value={
                    "total": 1900,
                    "full": 600,
                    "partial": 700,
                    "online": 1300,
                    "online_integrated": 900,
                    "online_rate": 68.42,
                    "integration_rate": 47.37,
                },
                response_only=True,
            ),
            *ERROR_EXAMPLES[:1],
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        coverage = selectors.procedure_coverage(agency_id=query.validated_data.get("agency"))
        return Response(CoverageSerializer(coverage).data)


class AnnualQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnnualIndex.Kind.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class AnnualIndexView(APIView):
    """Published yearly indices of the city (PAR INDEX, SIPAS, PAPI): public."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Chỉ số năm: PAR INDEX, SIPAS, PAPI",
        parameters=[
            OpenApiParameter("kind", str, enum=AnnualIndex.Kind.values),
            OpenApiParameter("year", int),
        ],
        responses={200: AnnualIndexSerializer(many=True), **error_responses(400)},
        examples=[
            OpenApiExample(
                "PAR INDEX 2024",
                value=[
                    {
                        "kind": "par",
                        "year": 2024,
                        "total": "92.57",
                        "total_max": "100.00",
                        "rank": 3,
                        "source": "Bộ Nội vụ",
                        "components": [],
                    }
                ],
                response_only=True,
            ),
            *ERROR_EXAMPLES[:1],
        ],
    )
    @method_decorator(use_replica)
    def get(self, request):
        query = AnnualQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        rows = AnnualIndex.objects.prefetch_related("components").order_by("kind", "year")
        if q.get("kind"):
            rows = rows.filter(kind=q["kind"])
        if q.get("year"):
            rows = rows.filter(year=q["year"])
        return Response(AnnualIndexSerializer(rows[:200], many=True).data)
