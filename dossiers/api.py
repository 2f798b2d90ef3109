"""Dossier API: scoped lists and details, intake, one endpoint per lifecycle action,
history, and the due-time calculator. Views are thin: selectors read, services write."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from hanoi_cchc.api_errors import ERROR_EXAMPLES, error_responses
from hanoi_cchc.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from hanoi_cchc.pagination import CheckedCursorPagination
from procedures.access import scope_for

from . import api_docs as docs
from . import payments, rules, selectors, services
from .errors import NotPermitted
from .filters import DossierFilter
from .serializers import (
    DossierDetailSerializer,
    DossierListSerializer,
    EventSerializer,
    InstantField,
    IntakeSerializer,
    OnlineSubmitSerializer,
    action_serializer,
)
from .workflow import ACTIONS


class IsOfficial(permissions.BasePermission):
    """Dossier data is for officials (any role) and the system administrator only."""

    message = _("Chỉ cán bộ, công chức được phân quyền mới xem được hồ sơ.")

    def has_permission(self, request, view):
        return scope_for(request.user).is_official


class DossierCursorPagination(CheckedCursorPagination):
    """Millions of rows: a cursor, never an exact count (DOMAIN §8)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class HistoryCursorPagination(DossierCursorPagination):
    ordering = ("at", "id")


def _detail(request, dossier_id: int, status_code=status.HTTP_200_OK) -> Response:
    access = selectors.dossier_access(request.user, dossier_id)
    context = {"request": request, "actions": access.actions}
    data = DossierDetailSerializer(access.dossier, context=context).data
    return Response(data, status=status_code)


def _answer_new(request, dossier) -> Response:
    """201 with the dossier just written, serialised from the object the service returned
    (issue 10 item 3: no read back of what is already in memory). Its creator sees it: the
    service checked their right to receive for its agency."""
    actions = rules.actions_for(scope_for(request.user), dossier)
    context = {"request": request, "actions": actions}
    data = DossierDetailSerializer(dossier, context=context).data
    return Response(data, status=status.HTTP_201_CREATED)


def _require(user, permission: str, agency_ids) -> None:
    scope = scope_for(user)
    if not any(scope.can(permission, a) for a in agency_ids if a is not None):
        raise NotPermitted(_("Bạn không có quyền thực hiện thao tác này."))


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách hồ sơ trong phạm vi của bạn",
        description=(
            "Chỉ gồm hồ sơ của cơ quan bạn tiếp nhận, đang xử lý hoặc được chuyển phối hợp "
            "(thanh tra và quản trị: toàn Thành phố). Phân trang bằng con trỏ (`cursor`)."
        ),
        responses={200: DossierListSerializer(many=True), **error_responses(400, 403, 404)},
        examples=[docs.LIST_EXAMPLE, *ERROR_EXAMPLES[2:]],
    ),
    retrieve=extend_schema(
        summary="Chi tiết hồ sơ",
        responses={200: DossierDetailSerializer, **error_responses(403, 404)},
        examples=[docs.DETAIL_EXAMPLE, *ERROR_EXAMPLES[1:]],
    ),
)
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsOfficial]
    pagination_class = DossierCursorPagination
    filterset_class = DossierFilter
    lookup_value_regex = r"[0-9]+"  # \d would also match Arabic-Indic digits

    def get_queryset(self):
        return selectors.dossiers_visible_to(self.request.user).select_related(
            "procedure", "agency", "current_agency"
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierDetailSerializer
        if self.action == "history":
            return EventSerializer
        if self.action == "online":
            return OnlineSubmitSerializer
        if self.action == "create":
            return IntakeSerializer
        return DossierListSerializer

    def retrieve(self, request, pk=None):
        return _detail(request, pk)

    @extend_schema(
        summary="Tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính",
        description=(
            "`outcome=receive` cấp mã hồ sơ và hẹn trả (Mẫu 01); `guide_incomplete` hướng dẫn "
            "bổ sung (Mẫu 02, cần `missing`); `refuse_intake` từ chối (Mẫu 03, cần `reason`). "
            "Cần vai trò Một cửa hoặc Lãnh đạo của cơ quan tiếp nhận."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=IntakeSerializer,
        responses={201: DossierDetailSerializer, **error_responses(400, 403, 409, 422)},
        examples=[docs.INTAKE_REQUEST, docs.DETAIL_EXAMPLE_201, *docs.ACTION_ERRORS],
    )
    def create(self, request):
        def handle():
            serializer = IntakeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            _require(request.user, "receive", [data["agency"].pk])
            dossier = services.dossier_intake(
                actor=request.user,
                outcome=data["outcome"],
                procedure=data["procedure"],
                agency=data["agency"],
                channel=data["channel"],
                applicant=dict(data["applicant"]),
                documents=[dict(d) for d in data["documents"]],
                case=data["case"],
                note=data["note"],
                missing=data["missing"],
                reason=data["reason"],
            )
            return _answer_new(request, dossier)

        return idempotent(request, handle)

    @extend_schema(
        summary="Nhận hồ sơ nộp trực tuyến (Cổng DVC Thành phố hoặc DVCQG)",
        description="Hồ sơ ở trạng thái chờ tiếp nhận; chưa có mã và hạn trả.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=OnlineSubmitSerializer,
        responses={201: DossierDetailSerializer, **error_responses(400, 403, 409, 422)},
        examples=[docs.ONLINE_REQUEST, docs.SUBMITTED_EXAMPLE_201, *docs.ACTION_ERRORS],
    )
    @action(detail=False, methods=["post"])
    def online(self, request):
        def handle():
            serializer = OnlineSubmitSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            _require(request.user, "receive", [data["agency"].pk])
            dossier = services.dossier_submit_online(
                actor=request.user,
                procedure=data["procedure"],
                agency=data["agency"],
                channel=data["channel"],
                applicant=dict(data["applicant"]),
                documents=[dict(d) for d in data["documents"]],
            )
            return _detail(request, dossier.pk, status.HTTP_201_CREATED)

        return idempotent(request, handle)

    @extend_schema(
        summary="Lịch sử xử lý hồ sơ (Mẫu 05)",
        responses={200: EventSerializer(many=True), **error_responses(400, 403, 404)},
        examples=[docs.HISTORY_EXAMPLE, *ERROR_EXAMPLES[1:]],
    )
    @action(detail=True, methods=["get"], pagination_class=HistoryCursorPagination)
    def history(self, request, pk=None):
        dossier = selectors.access_dossier(request.user, pk)
        page = self.paginate_queryset(selectors.history(dossier))
        return self.get_paginated_response(EventSerializer(page, many=True).data)


class DossierActionView(APIView):
    """POST /api/v1/dossiers/{id}/actions/<action>/: one workflow action (dossiers.workflow)."""

    permission_classes = [permissions.IsAuthenticated, IsOfficial]
    action_name = ""

    def get_serializer_class(self):  # for the schema generator
        return action_serializer(self.action_name)

    def post(self, request, pk: int):
        act = ACTIONS[self.action_name]

        def handle():
            dossier = selectors.access_dossier(request.user, pk)
            # The services' own rule (dossiers.rules), asked before the body is validated so
            # that a user without the role gets 403, not a list of field errors.
            if rules.acting_agency(scope_for(request.user), act, dossier) is None:
                raise NotPermitted(_("Bạn không có quyền thực hiện thao tác này."))
            serializer = action_serializer(self.action_name)(data=request.data)
            serializer.is_valid(raise_exception=True)
            payments.dossier_action(
                actor=request.user,
                dossier_id=dossier.pk,
                action=self.action_name,
                note=serializer.validated_data.get("note", ""),
                **serializer.params(),
            )
            return _detail(request, dossier.pk)

        return idempotent(request, handle)


def action_view(name: str):
    """A documented view class for one action, with its own request serializer."""
    act = ACTIONS[name]
    example = docs.ACTION_REQUESTS.get(name, {"note": "Đã kiểm tra đầy đủ."})
    schema = extend_schema(
        operation_id=f"dossier_action_{name}",
        summary=f"{act.label} ({name})",
        description=(
            f"{act.label}. Cần quyền “{act.permission}”. Từ trạng thái: "
            f"{', '.join(sorted(act.sources))}."
            + (f" Căn cứ: {act.legal_basis}." if act.legal_basis else "")
        ),
        tags=["dossiers"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=action_serializer(name),
        responses={200: DossierDetailSerializer, **error_responses(400, 403, 404, 409, 422)},
        examples=[
            OpenApiExample(f"Yêu cầu {name}", value=example, request_only=True),
            docs.DETAIL_EXAMPLE,
            *docs.ACTION_ERRORS,
        ],
    )

    def post(self, request, pk: int):
        return DossierActionView.post(self, request, pk)

    class_name = "".join(part.title() for part in name.split("_")) + "ActionView"
    view = type(class_name, (DossierActionView,), {"action_name": name, "post": schema(post)})
    return view.as_view()


# --- the due-time calculator -----------------------------------------------------------


class DueQuerySerializer(serializers.Serializer):
    procedure = serializers.IntegerField(min_value=1)
    received_at = InstantField()
    agency = serializers.IntegerField(min_value=1, required=False)
    channel = serializers.ChoiceField(choices=docs.CHANNELS, default="desk")
    case = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class DueResultSerializer(serializers.Serializer):
    procedure = serializers.IntegerField()
    agency = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField()
    case = serializers.CharField()
    limit_value = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    limit_unit = serializers.CharField()
    received_at = serializers.DateTimeField()
    clock_started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()
    explanation = serializers.JSONField()


class DueView(APIView):
    """The due time a dossier received now would get, and why (public: the law is public)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Tính hạn trả kết quả và giải thích",
        description=(
            "Cùng quy tắc với khi tiếp nhận: thời hạn theo kênh nộp, lịch làm việc đã điều "
            "chỉnh, giờ làm việc của cơ quan và giờ tiếp nhận tính sang ngày sau (15:00)."
        ),
        parameters=[
            OpenApiParameter("procedure", int, required=True),
            OpenApiParameter("received_at", datetime, required=True),
            OpenApiParameter("agency", int, required=False),
            OpenApiParameter("channel", str, required=False, enum=[c for c, _l in docs.CHANNELS]),
        ],
        responses={200: DueResultSerializer, **error_responses(400, 404)},
        examples=[docs.DUE_EXAMPLE, *ERROR_EXAMPLES[:2]],
    )
    def get(self, request):
        from procedures.models import Agency, Procedure

        from . import clock

        query = DueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        procedures = Procedure.objects.all()
        if not scope_for(request.user).is_official:
            # The public sees the published catalogue only, as in the procedures API.
            procedures = procedures.filter(status=Procedure.Status.PUBLISHED)
        procedure = procedures.filter(pk=q["procedure"]).first()
        if procedure is None:
            raise serializers.ValidationError({"procedure": [_("Không tìm thấy thủ tục.")]})
        agency = None
        if q.get("agency"):
            agency = Agency.objects.filter(pk=q["agency"]).first()
            if agency is None:
                raise serializers.ValidationError({"agency": [_("Không tìm thấy cơ quan.")]})
        received_at = q["received_at"]
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        # The intake's own calculation (dossiers.clock): limit by case or channel, the
        # edited calendar, the agency's hours and the cut-off by channel.
        value, unit = clock.limit_for(procedure, q["channel"], q["case"])
        due = clock.compute(
            agency=agency,
            start=received_at,
            value=value,
            unit=unit,
            apply_cutoff=rules.cutoff_applies(q["channel"]),
        )
        return Response(
            {
                "procedure": procedure.pk,
                "agency": agency.pk if agency else None,
                "channel": q["channel"],
                "case": q["case"],
                "limit_value": value,
                "limit_unit": unit,
                "received_at": received_at,
                "clock_started_at": due.clock_started_at,
                "due_at": due.due_at,
                "explanation": due.explanation,
            }
        )


__all__ = ["DossierViewSet", "DueView", "action_view"]
