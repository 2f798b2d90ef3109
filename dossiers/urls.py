from django.urls import include, path

from . import views_officials as officials
from . import views_public as public

app_name = "dossiers"
urlpatterns = [
    # Officials (login and a role required).
    path("", officials.worklist, name="worklist"),
    path("tiep-nhan/", officials.intake, name="intake"),
    path("so-theo-doi.pdf", officials.ledger_pdf, name="ledger"),
    path("xem/<str:ref>/", officials.detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", officials.act, name="act"),
    path("<int:pk>/mau-<str:number>.pdf", officials.form_pdf, name="form_pdf"),
    # Citizens (no login).
    path("tra-cuu/", public.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", public.rate, name="rate"),
    path("truc-tuyen/", include("dossiers.urls_online")),
]
