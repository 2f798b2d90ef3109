"""Public read API of the catalogue: procedures, agencies and fields."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from hanoi_cchc.api_errors import ERROR_EXAMPLES, error_responses

from .access import scope_for
from .filters import AgencyFilter, ProcedureFilter
from .models import Agency, Field, Procedure, RequiredDocument
from .serializers import (
    AgencySerializer,
    FieldSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
)


class CataloguePagination(PageNumberPagination):
    """Small public lists: page numbers with a total are cheap here."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


PROCEDURE_EXAMPLE = {
    "id": 12,
    "national_code": "1.001612",
    "local_code": "1.001612.000.00.00.H26",
    "name": "Đăng ký khai sinh",
    "field": {"id": 3, "code": "HT", "name": "Hộ tịch"},
    "at_city": False,
    "at_district": False,
    "at_commune": True,
    "time_limit_value": "1.0",
    "time_limit_unit": "working_days",
    "fee": None,
    "online_mode": "full",
    "dvcqg_integrated": True,
    "status": "published",
}
AGENCY_EXAMPLE = {
    "id": 7,
    "name": "UBND phường Hoàn Kiếm",
    "short_name": "Hoàn Kiếm",
    "level": "commune",
    "unit_type": "phuong",
    "identifier_code": "000.01.01.H26",
    "gso_code": "00070",
    "parent": 1,
    "valid_from": "2025-07-01",
    "valid_to": None,
    "successor": None,
    "address": "Số 1 Lý Thái Tổ",
    "phone": "024 3825 0000",
}


def _page(example: dict) -> dict:
    return {"count": 1, "next": None, "previous": None, "results": [example]}


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách thủ tục hành chính",
        description="Tìm kiếm không cần gõ dấu qua tham số `q` (ví dụ `q=dang ky khai sinh`).",
        responses={200: ProcedureListSerializer(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("Một trang kết quả", value=_page(PROCEDURE_EXAMPLE))],
    ),
    retrieve=extend_schema(
        summary="Chi tiết thủ tục",
        responses={200: ProcedureDetailSerializer, **error_responses(404)},
        examples=[
            OpenApiExample(
                "Thủ tục",
                value={
                    **PROCEDURE_EXAMPLE,
                    "fee_note": "Miễn lệ phí",
                    "steps": "Nộp hồ sơ tại Bộ phận Một cửa...",
                    "legal_basis": "Luật Hộ tịch 2014",
                    "result_document": "Giấy khai sinh",
                    "legacy_level": 4,
                    "dvcqg_integrated_on": "2022-08-15",
                    "supplement_request_days": 3,
                    "valid_from": None,
                    "valid_to": None,
                    "agencies": [
                        {
                            "id": 7,
                            "name": "UBND phường Hoàn Kiếm",
                            "identifier_code": "000.01.01.H26",
                        }
                    ],
                    "required_documents": [
                        {
                            "name": "Tờ khai đăng ký khai sinh",
                            "form": "original",
                            "copies": 1,
                            "mandatory": True,
                        }
                    ],
                    "time_limits": [],
                },
            ),
            *ERROR_EXAMPLES[1:2],
        ],
    ),
)
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue is public (Decree 63/2010 on publicising procedures)."""

    permission_classes = [AllowAny]
    pagination_class = CataloguePagination
    filterset_class = ProcedureFilter

    def get_queryset(self):
        qs = Procedure.objects.select_related("field").order_by("name", "id")
        # Drafts and repealed procedures are for officials; the public sees what is in force.
        if not scope_for(self.request.user).is_official:
            qs = qs.filter(status=Procedure.Status.PUBLISHED)
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "agencies",
                "time_limits",
                Prefetch("required_documents", queryset=RequiredDocument.objects.order_by("order")),
            )
        return qs

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureListSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách cơ quan, đơn vị",
        responses={200: AgencySerializer(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("Một trang kết quả", value=_page(AGENCY_EXAMPLE))],
    ),
    retrieve=extend_schema(
        summary="Chi tiết cơ quan",
        responses={200: AgencySerializer, **error_responses(404)},
        examples=[OpenApiExample("Cơ quan", value=AGENCY_EXAMPLE), *ERROR_EXAMPLES[1:2]],
    ),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = CataloguePagination
    filterset_class = AgencyFilter
    serializer_class = AgencySerializer
    queryset = Agency.objects.order_by("level", "name", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách lĩnh vực",
        responses={200: FieldSerializer(many=True), **error_responses(400, 404)},
        examples=[
            OpenApiExample("Một trang", value=_page({"id": 3, "code": "HT", "name": "Hộ tịch"}))
        ],
    ),
    retrieve=extend_schema(
        summary="Chi tiết lĩnh vực",
        responses={200: FieldSerializer, **error_responses(404)},
        examples=[OpenApiExample("Lĩnh vực", value={"id": 3, "code": "HT", "name": "Hộ tịch"})],
    ),
)
class FieldViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = CataloguePagination
    serializer_class = FieldSerializer
    queryset = Field.objects.order_by("name", "id")
