"""URL configuration of the REST API (/api/): version 1 plus the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from procedures.api import AgencyViewSet, FieldViewSet, ProcedureViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("fields", FieldViewSet, basename="field")

v1 = [
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
