"""URL configuration of the REST API (/api/): version 1 plus the OpenAPI schema and docs."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from dossiers.api import DossierViewSet, DueView, action_view
from dossiers.workflow import ACTIONS
from hanoi_cchc.api_errors import error_example, error_responses
from hanoi_cchc.authn import ClientAddressThrottle, issue_token
from indicators.api import (
    AnnualIndexView,
    ByAgencyView,
    ByFieldView,
    CoverageView,
    MonthlyView,
    TotalsView,
)
from procedures.api import AgencyViewSet, FieldViewSet, ProcedureViewSet


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Token for systems (Authorization: Token <key>). Login failures count towards the
    Axes lockouts exactly like the login page, and the endpoint is rate-limited per client
    address (even with Redis down). Tokens expire after API_TOKEN_TTL_HOURS."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "api_token"

    @extend_schema(
        summary="Lấy token truy cập API cho hệ thống",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        examples=[
            OpenApiExample(
                "Đăng nhập",
                value={"username": "hethong_motcua", "password": "••••••••"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
                status_codes=["200"],
            ),
            error_example(
                "Sai thông tin",
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                status_codes=["400"],
            ),
            error_example(
                "Bị khóa",
                "locked_out",
                "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần.",
                status_codes=["429"],
            ),
        ],
    )
    def post(self, request):
        from hanoi_cchc.api_errors import error_response

        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Axes reads and marks the Django request (not DRF's wrapper): pass the real one.
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            return error_response(
                400, "invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng.")
            )
        # A token is a login: Axes resets the failure count and last_login is updated.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token = issue_token(user)
        return Response({"token": token.key})


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("fields", FieldViewSet, basename="field")
router.register("dossiers", DossierViewSet, basename="dossier")

v1 = [
    path("", include(router.urls)),
    *[
        path(f"dossiers/<int:pk>/actions/{name}/", action_view(name), name=f"dossier-{name}")
        for name in ACTIONS
    ],
    path("calendar/due/", DueView.as_view(), name="calendar-due"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("indicators/totals/", TotalsView.as_view(), name="indicators-totals"),
    path("indicators/agencies/", ByAgencyView.as_view(), name="indicators-agencies"),
    path("indicators/fields/", ByFieldView.as_view(), name="indicators-fields"),
    path("indicators/monthly/", MonthlyView.as_view(), name="indicators-monthly"),
    path("indicators/coverage/", CoverageView.as_view(), name="indicators-coverage"),
    path("indicators/annual/", AnnualIndexView.as_view(), name="indicators-annual"),
]


# The docs pages may load nothing from outside: Redoc's sidebar hard-codes a logo from
# cdn.redoc.ly, which this policy blocks (the image hides itself on error).
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'"
)


class DocsCSPMixin:
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response


class SwaggerView(DocsCSPMixin, SpectacularSwaggerView):
    pass


class RedocView(DocsCSPMixin, SpectacularRedocView):
    # Our template drops the stock page's Google Fonts links.
    template_name = "api/redoc.html"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, rest=""):
    """Any other /api/ URL: a 404 in the one error format, not Django's HTML page."""
    from hanoi_cchc.api_errors import error_response

    return error_response(404, "not_found", _("Không tìm thấy."))


urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Last: whatever did not match above (also ids that are not numbers).
    re_path(r"^(?P<rest>.*)$", not_found),
]
