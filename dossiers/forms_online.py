"""Forms of online submission, the applicant's access, supplements, files and fees."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Procedure

from .models import Dossier, DossierFile
from .notifications.choices import NotifyChoice

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _file_field(label, *, required=True, accept=ACCEPT):
    return forms.FileField(
        label=label, required=required, widget=forms.ClearableFileInput(attrs={"accept": accept})
    )


def offering_agencies(procedure: Procedure):
    """The agencies receiving this procedure today (all linked ones, valid today)."""
    today = timezone.localdate()
    agencies = [a for a in procedure.agencies.order_by("name") if a.is_valid_on(today)]
    return agencies


class OnlineSubmitForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Cơ quan tiếp nhận"), empty_label=None
    )
    kind = forms.ChoiceField(
        choices=Dossier.ApplicantKind.choices, label=_("Người nộp là"), initial="person"
    )
    name = forms.CharField(max_length=255, label=_("Họ và tên (tên tổ chức)"))
    id_number = forms.CharField(
        max_length=20,
        label=_("Số định danh cá nhân / CCCD (mã số doanh nghiệp)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        max_length=20,
        label=_("Số điện thoại"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(required=False, label=_("Thư điện tử"))
    address = forms.CharField(max_length=500, required=False, label=_("Địa chỉ liên hệ"))
    # The applicant may decline the messages about the dossier (issue 13), as at the desk.
    notify = forms.ChoiceField(
        choices=NotifyChoice.choices,
        initial=NotifyChoice.ALL,
        required=False,
        label=_("Nhận thông báo về hồ sơ"),
    )

    def __init__(self, procedure: Procedure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        agencies = offering_agencies(procedure)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
        self.documents = list(procedure.required_documents.order_by("order", "id"))
        for doc in self.documents:
            self.fields[f"doc_{doc.pk}"] = _file_field(doc.name, required=doc.mandatory)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) < 9:
            raise forms.ValidationError(_("Số điện thoại không hợp lệ."))
        return phone

    def applicant_fields(self):
        names = ("agency", "kind", "name", "id_number", "phone", "email", "address", "notify")
        return [self[name] for name in names]

    def document_fields(self):
        return [(doc, self[f"doc_{doc.pk}"]) for doc in self.documents]

    def applicant(self) -> dict:
        data = self.cleaned_data
        applicant = {k: data[k] for k in ("kind", "name", "id_number", "phone", "email", "address")}
        return {**applicant, "notify": data.get("notify") or NotifyChoice.ALL}


class AccessForm(forms.Form):
    ref = forms.CharField(
        max_length=60,
        label=_("Mã hồ sơ hoặc mã nộp trực tuyến"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    secret = forms.CharField(
        max_length=4,
        min_length=4,
        label=_("4 số cuối điện thoại hoặc số định danh"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_ref(self):
        return self.cleaned_data["ref"].strip().upper()


class SupplementForm(forms.Form):
    file_1 = _file_field(_("Tệp bổ sung"))
    file_2 = _file_field(_("Tệp bổ sung (thêm)"), required=False)
    file_3 = _file_field(_("Tệp bổ sung (thêm)"), required=False)

    def files_given(self):
        return [f for f in (self.cleaned_data.get(n) for n in ("file_1", "file_2", "file_3")) if f]


class AttachForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (DossierFile.Kind.SCAN, DossierFile.Kind.SCAN.label),
            (DossierFile.Kind.RESULT, DossierFile.Kind.RESULT.label),
        ]
    )
    title = forms.CharField(max_length=500, required=False, label=_("Tên giấy tờ"))
    file = _file_field(_("Tệp (PDF, JPEG, PNG)"))


class PaymentRequestForm(forms.Form):
    amount = forms.IntegerField(min_value=1, label=_("Số tiền (đồng)"))
    purpose = forms.CharField(max_length=255, required=False, label=_("Nội dung thu"))
