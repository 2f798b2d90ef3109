"""Forms of the officials' pages and the public lookup. They validate; services decide."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hanoi_cchc.edges import FEE_MAX, validate_portal_day
from procedures.models import Agency, Channel, Procedure, TimeUnit
from procedures.widgets import AgencySelect

from . import clock, rules
from .models import Rating
from .notifications.choices import NotifyChoice
from .widgets import PlainPasswordInput, PlainSelect, PlainTextInput
from .workflow import Status

INTAKE_CHANNELS = [(Channel.DESK, Channel.DESK.label), (Channel.POST, Channel.POST.label)]


class IntakeForm(forms.Form):
    """Intake at the desk: the procedure's documents ticked, the applicant, and a decision.

    The button pressed ("decision") chooses the outcome: receive (form 01), guide the
    applicant to complete the dossier (form 02, told once and fully) or refuse (form 03).
    """

    RECEIVE, GUIDE, REFUSE = "receive", "guide", "refuse"

    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(), label=_("Thủ tục hành chính"), widget=forms.HiddenInput
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Cơ quan tiếp nhận"), widget=AgencySelect
    )
    channel = forms.ChoiceField(
        choices=INTAKE_CHANNELS, initial=Channel.DESK, label=_("Hình thức nộp")
    )
    documents = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Thành phần hồ sơ đã nhận"),
    )
    applicant_kind = forms.ChoiceField(
        choices=[("person", _("Cá nhân")), ("organisation", _("Tổ chức, doanh nghiệp"))],
        initial="person",
        label=_("Người nộp là"),
    )
    applicant_name = forms.CharField(max_length=255, label=_("Họ và tên người nộp"))
    applicant_id_number = forms.CharField(
        max_length=20, required=False, label=_("Số định danh cá nhân / CCCD")
    )
    applicant_phone = forms.CharField(max_length=20, required=False, label=_("Số điện thoại"))
    applicant_email = forms.EmailField(required=False, label=_("Thư điện tử"))
    applicant_address = forms.CharField(max_length=500, required=False, label=_("Địa chỉ"))
    # Issue 13: the applicant may decline SMS / e-mail about the dossier.
    applicant_notify = forms.ChoiceField(
        choices=NotifyChoice.choices,
        initial=NotifyChoice.ALL,
        required=False,
        label=_("Nhận thông báo về hồ sơ"),
    )
    missing = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Nội dung cần bổ sung, hoàn thiện (Mẫu 02)"),
        help_text=_(
            "Giấy tờ bắt buộc chưa đánh dấu được tự động ghi vào phiếu. "
            "Ghi thêm mọi yêu cầu khác: người nộp chỉ được hướng dẫn một lần, đầy đủ."
        ),
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Lý do từ chối tiếp nhận (Mẫu 03)"),
    )
    note = forms.CharField(required=False, max_length=1000, label=_("Ghi chú"))

    def __init__(self, *args, procedure: Procedure, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure_obj = procedure
        self.required_documents = list(procedure.required_documents.all())
        self.fields["procedure"].queryset = Procedure.objects.filter(pk=procedure.pk)
        self.fields["procedure"].initial = procedure.pk
        self.fields["agency"].queryset = agencies
        self.fields["documents"].choices = [
            (str(doc.pk), doc.name) for doc in self.required_documents
        ]
        # The catalogue's cases with a limit of their own: the desk picks the applicant's.
        cases = clock.cases_of(procedure)
        if cases:
            self.fields["case"] = forms.ChoiceField(
                choices=[("", _("Trường hợp thông thường"))] + [(c, c) for c in cases],
                required=False,
                label=_("Trường hợp (thời hạn giải quyết)"),
            )

    def clean_applicant_name(self):
        name = " ".join(self.cleaned_data["applicant_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Họ tên người nộp quá ngắn."))
        return name

    def clean_applicant_id_number(self):
        return rules.normalise_id_number(self.cleaned_data["applicant_id_number"])

    def clean_applicant_phone(self):
        return rules.normalise_phone(self.cleaned_data["applicant_phone"])

    def decision(self) -> str:
        value = self.data.get("decision", self.RECEIVE)
        return value if value in {self.RECEIVE, self.GUIDE, self.REFUSE} else self.RECEIVE

    def missing_documents(self) -> list:
        ticked = set(self.cleaned_data.get("documents") or [])
        return [d for d in self.required_documents if d.mandatory and str(d.pk) not in ticked]

    def clean(self):
        data = super().clean()
        decision = self.decision()
        # The same rule as the API's and the service's (dossiers.rules.applicant_errors).
        applicant = {
            "name": data.get("applicant_name", "x" * 2),
            "phone": data.get("applicant_phone", ""),
            "id_number": data.get("applicant_id_number", ""),
        }
        for key, errors in rules.applicant_errors(
            applicant, receiving=decision == self.RECEIVE
        ).items():
            if key != "name":
                for error in errors:
                    self.add_error(f"applicant_{key}", error)
        if "documents" in data:
            missing = self.missing_documents()
            if decision == self.RECEIVE and missing:
                names = "; ".join(d.name for d in missing)
                self.add_error(
                    "documents",
                    _(
                        "Hồ sơ còn thiếu giấy tờ bắt buộc: %(names)s. Hãy đánh dấu đủ, hoặc "
                        "chọn “Hướng dẫn bổ sung” để lập Mẫu 02."
                    )
                    % {"names": names},
                )
            if decision == self.GUIDE:
                lines = [f"{d.name} ({d.get_form_display().lower()})" for d in missing]
                extra = (data.get("missing") or "").strip()
                if extra:
                    lines.append(extra)
                if not lines:
                    self.add_error(
                        "missing",
                        _("Hãy ghi rõ nội dung cần bổ sung, hoàn thiện để lập Mẫu 02."),
                    )
                data["missing_text"] = "\n".join(lines)
        if decision == self.REFUSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Cần ghi rõ lý do từ chối tiếp nhận để lập Mẫu 03."))
        return data

    def applicant(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["applicant_kind"],
            "name": d["applicant_name"],
            "id_number": d["applicant_id_number"],
            "phone": d["applicant_phone"],
            "email": d["applicant_email"],
            "address": d["applicant_address"].strip(),
            "notify": d.get("applicant_notify") or NotifyChoice.ALL,
        }

    def documents_payload(self) -> list[dict]:
        ticked = set(self.cleaned_data.get("documents") or [])
        return [
            {"name": d.name, "form": d.form, "copies": d.copies}
            for d in self.required_documents
            if str(d.pk) in ticked
        ]


class WorklistFilter(forms.Form):
    # PlainSelect: hundreds of procedures rendered without a template per option.
    trang_thai = forms.ChoiceField(
        required=False,
        label=_("Trạng thái"),
        choices=[("", _("Đang mở (tất cả)"))],
        widget=PlainSelect,
    )
    thu_tuc = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Thủ tục"), widget=PlainSelect
    )
    linh_vuc = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Lĩnh vực"), widget=PlainSelect
    )
    sap_den_han = forms.IntegerField(
        required=False, min_value=0, max_value=60, label=_("Đến hạn trong (ngày)")
    )
    qua_han = forms.BooleanField(required=False, label=_("Chỉ hồ sơ quá hạn"))
    # The search box (dossiers.worklist_search): code, name without diacritics, last digits.
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Tìm hồ sơ"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Mã hồ sơ, tên người nộp, 4 số cuối điện thoại hoặc CCCD"),
            }
        ),
    )

    def __init__(self, *args, procedures, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trang_thai"].choices = [("", _("Đang mở (tất cả)"))] + list(Status.choices)
        self.fields["thu_tuc"].choices = [("", _("Tất cả thủ tục"))] + [
            (p.pk, f"{p.national_code} – {p.name}") for p in procedures
        ]
        self.fields["linh_vuc"].choices = [("", _("Tất cả lĩnh vực"))] + [
            (f.pk, f.name) for f in fields
        ]


# --- action forms on the dossier page --------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Ghi chú"),
    )

    def params(self) -> dict:
        return {}


class SupplementForm(NoteForm):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Nội dung yêu cầu bổ sung (ghi đầy đủ, một lần)"),
    )

    def params(self):
        return {"content": self.cleaned_data["content"]}


class TransferForm(NoteForm):
    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(valid_to__isnull=True),
        label=_("Cơ quan phối hợp"),
        widget=AgencySelect,
    )
    limit_value = forms.DecimalField(
        min_value=0.5, max_digits=6, decimal_places=1, label=_("Thời hạn của cơ quan phối hợp")
    )
    limit_unit = forms.ChoiceField(
        choices=TimeUnit.choices, initial=TimeUnit.WORKING_DAYS, label=_("Đơn vị")
    )

    def params(self):
        d = self.cleaned_data
        return {
            "to_agency_id": d["to_agency"].pk,
            "limit_value": d["limit_value"],
            "limit_unit": d["limit_unit"],
        }


class ApologyForm(NoteForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("Lý do chậm trả kết quả")
    )
    new_due_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_portal_day],
        label=_("Ngày hẹn trả mới"),
    )
    new_due_time = forms.TimeField(
        initial=time(17, 0),
        widget=forms.TimeInput(attrs={"type": "time"}),
        label=_("Giờ hẹn trả"),
    )

    def params(self):
        d = self.cleaned_data
        new_due = timezone.make_aware(datetime.combine(d["new_due_date"], d["new_due_time"]))
        return {"reason": d["reason"], "new_due_at": new_due}


class FeeForm(NoteForm):
    # Dossier.fee_amount is NUMERIC(14, 0): a fee of 10^20 reached PostgreSQL (a 500).
    fee_amount = forms.IntegerField(
        min_value=0, max_value=FEE_MAX, label=_("Số tiền phí, lệ phí (đồng)")
    )

    def params(self):
        return {"fee_amount": self.cleaned_data["fee_amount"]}


class RefuseForm(NoteForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("Lý do từ chối giải quyết")
    )

    def params(self):
        return {"reason": self.cleaned_data["reason"]}


class SuspendForm(NoteForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Lý do tạm dừng (căn cứ pháp lý)"),
    )

    def params(self):
        return {"reason": self.cleaned_data["reason"]}


class GuideForm(NoteForm):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Nội dung cần bổ sung (Mẫu 02)")
    )

    def params(self):
        return {"content": self.cleaned_data["content"]}


class AssignForm(NoteForm):
    """The leader names the specialist (or a leader) of the agency holding the dossier."""

    assignee = forms.ModelChoiceField(queryset=None, label=_("Chuyên viên được giao xử lý"))

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from procedures.models import Membership

        agency_id = dossier.current_agency_id if dossier is not None else None
        users = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__agency_id=agency_id,
                memberships__role__in=[Membership.Role.SPECIALIST, Membership.Role.LEADER],
            )
            .distinct()
        )
        self.fields["assignee"].queryset = users.order_by("last_name", "first_name", "username")
        self.fields["assignee"].label_from_instance = rules.person_name

    def params(self):
        return {"assignee_id": self.cleaned_data["assignee"].pk}


class AcceptForm(NoteForm):
    """Receiving an online or guided dossier: tick the papers handed in now (the dossier
    records every document actually received), and the case if the catalogue has cases."""

    documents = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Giấy tờ nhận thêm lúc tiếp nhận"),
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = []
        if dossier is not None:
            have = {str(d.get("name")) for d in dossier.documents or []}
            self.pending = [
                d for d in dossier.procedure.required_documents.all() if d.name not in have
            ]
            cases = clock.cases_of(dossier.procedure)
            if cases:
                self.fields["case"] = forms.ChoiceField(
                    choices=[("", _("Trường hợp thông thường"))] + [(c, c) for c in cases],
                    required=False,
                    label=_("Trường hợp (thời hạn giải quyết)"),
                )
        self.fields["documents"].choices = [(str(d.pk), d.name) for d in self.pending]
        if not self.pending:
            del self.fields["documents"]

    def params(self):
        ticked = set(self.cleaned_data.get("documents") or [])
        params = {
            "documents": [
                {"name": d.name, "form": d.form, "copies": d.copies}
                for d in self.pending
                if str(d.pk) in ticked
            ]
        }
        if "case" in self.fields:
            params["case"] = self.cleaned_data.get("case") or ""
        return params


ACTION_FORMS: dict[str, type[NoteForm]] = {
    "accept": AcceptForm,
    "assign": AssignForm,
    "request_supplement": SupplementForm,
    "guide_incomplete": GuideForm,
    "refuse_intake": RefuseForm,
    "transfer": TransferForm,
    "apologize": ApologyForm,
    "request_fee": FeeForm,
    "request_fee_on_return": FeeForm,
    "refuse": RefuseForm,
    "suspend": SuspendForm,
}


def action_form(name: str, *args, dossier=None, **kwargs) -> NoteForm:
    form_class = ACTION_FORMS.get(name, NoteForm)
    if form_class in {AssignForm, AcceptForm}:
        kwargs["dossier"] = dossier
    return form_class(*args, prefix=name, **kwargs)


# --- public lookup ---------------------------------------------------------------------


class LookupForm(forms.Form):
    ma = forms.CharField(
        max_length=60,
        label=_("Mã hồ sơ"),
        widget=PlainTextInput(attrs={"placeholder": "000.00.16.H26-210108-0001"}),
    )
    secret = forms.CharField(
        required=False,
        max_length=4,
        min_length=4,
        label=_("4 số cuối điện thoại hoặc số định danh (không bắt buộc)"),
        widget=PlainPasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_ma(self):
        return self.cleaned_data["ma"].strip().upper()


class RatingForm(forms.Form):
    CRITERIA = ("time", "contacts", "information", "attitude", "result", "overall")

    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Góp ý thêm"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                choices=Rating.LEVELS,
                coerce=int,
                widget=forms.RadioSelect,
                label=Rating._meta.get_field(name).verbose_name,
            )
        # Put the comment last.
        self.fields["comment"] = self.fields.pop("comment")

    def levels(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CRITERIA}
