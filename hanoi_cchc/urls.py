from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from hanoi_cchc.health import healthz

admin.site.site_header = _("Quản trị Cổng thủ tục hành chính Hà Nội")
admin.site.site_title = _("Quản trị TTHC Hà Nội")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("", RedirectView.as_view(pattern_name="procedures:list", permanent=False), name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("thu-tuc/", include("procedures.urls")),
    path("ho-so/", include("dossiers.urls")),
    path("chi-so/", include("indicators.urls")),
    path("api/", include("hanoi_cchc.api")),
    # Monitoring: database, Redis, DVCQG outbox lag, last sweep (JSON, 200 or 503).
    path("healthz", healthz, name="healthz"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
