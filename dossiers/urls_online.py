"""Online submission, the applicant's dossier page, files and payments (issue 13)."""

from django.urls import path

from . import views_citizen as citizen
from . import views_files as files

urlpatterns = [
    # Citizens (code + secret, kept in a signed cookie).
    path("nop/<str:national_code>/", citizen.submit, name="online_submit"),
    path("", citizen.access, name="online_access"),
    path("ho-so-cua-toi/", citizen.mine, name="online_mine"),
    path("ho-so-cua-toi/bo-sung/", citizen.supplement, name="online_supplement"),
    path("ho-so-cua-toi/tep/<int:file_id>/", citizen.applicant_file, name="online_file"),
    path("ho-so-cua-toi/thanh-toan/", citizen.pay, name="online_pay"),
    path("ho-so-cua-toi/bien-lai/<str:reference>/", citizen.receipt, name="online_receipt"),
    path("ho-so-cua-toi/thoat/", citizen.leave, name="online_leave"),
    path("paygov/ket-qua/", citizen.paygov_callback, name="online_paygov"),
    # Officials.
    path("can-bo/tep/<int:file_id>/", files.official_file, name="official_file"),
    path("can-bo/<int:pk>/dinh-kem/", files.attach, name="online_attach"),
    path("can-bo/<int:pk>/yeu-cau-phi/", files.fee_request, name="online_fee_request"),
]
