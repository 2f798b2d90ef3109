"""Admin for agencies, officials' roles, fields and the procedure catalogue.

Procedures are saved through ``services.procedure_save`` (search text + history with the
admin user); the changelist offers import (CSV/XLSX) and export of the filtered list.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import exporters, importers
from .forms import ImportForm
from .models import Agency, Field, Membership, Procedure, ProcedureTimeLimit, RequiredDocument
from .search import fold, search_procedures
from .services import procedure_save


class SafeHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages treat a malformed id like the change view does.

    django-simple-history passes the raw URL segment to ``filter(pk=...)``, so
    ``/abc/history/`` (or ``/73/change/history/``, caught by the same pattern) raised a
    ValueError and a 500. Django's change view answers a bad id with a redirect to the
    changelist and a "does not exist" message: the history pages now do the same.
    """

    def _valid_pk(self, object_id) -> bool:
        try:
            self.opts.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError, TypeError):
            return False
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not self._valid_pk(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._valid_pk(object_id) or not str(version_id).isdigit():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


class ValidNowFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return [("now", _("Đang hoạt động")), ("ended", _("Đã hết hiệu lực"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        current = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        if self.value() == "now":
            return queryset.filter(current)
        if self.value() == "ended":
            return queryset.exclude(current)
        return queryset


@admin.register(Agency)
class AgencyAdmin(SafeHistoryAdmin):
    list_display = (
        "name",
        "level",
        "unit_type",
        "identifier_code",
        "gso_code",
        "valid_from",
        "valid_to",
    )
    list_filter = ("level", "unit_type", ValidNowFilter)
    search_fields = ("name", "short_name", "identifier_code", "gso_code")
    autocomplete_fields = ("parent", "successor")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("name", "short_name", "level", "unit_type", "parent")}),
        (_("Mã"), {"fields": ("identifier_code", "gso_code")}),
        (_("Hiệu lực"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Liên hệ"), {"fields": ("address", "phone")}),
        (
            _("Giờ làm việc"),
            {
                "fields": (
                    ("morning_start", "morning_end"),
                    ("afternoon_start", "afternoon_end"),
                    "receipt_cutoff",
                )
            },
        ),
    )

    def get_search_results(self, request, queryset, search_term):
        # "hoan kiem" must find "Hoàn Kiếm" as the procedure search does. Agency has no
        # stored folded column (and SQLite has no unaccent), so the names are folded in
        # Python: Hanoi has a few thousand agencies at most, a bounded one-column scan.
        phrase = fold(search_term)[:200]
        if not phrase:
            return queryset, False
        words = phrase.split(" ")[:12]
        matching = [
            pk
            for pk, *texts in queryset.values_list(
                "pk", "name", "short_name", "identifier_code", "gso_code"
            )
            if all(word in fold(" ".join(texts)) for word in words)
        ]
        return queryset.filter(pk__in=matching), False


@admin.register(Membership)
class MembershipAdmin(SafeHistoryAdmin):
    list_display = ("user", "role", "agency")
    list_filter = ("role", "agency__level")
    search_fields = ("user__username", "user__last_name", "user__first_name", "agency__name")
    autocomplete_fields = ("user", "agency")
    list_select_related = ("user", "agency")


@admin.register(Field)
class FieldAdmin(SafeHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class TimeLimitInline(admin.TabularInline):
    model = ProcedureTimeLimit
    extra = 0


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ("order", "name", "form", "copies", "mandatory")


@admin.register(Procedure)
class ProcedureAdmin(SafeHistoryAdmin):
    list_display = (
        "national_code",
        "name",
        "time_limit_display",
        "online_short",
        "dvcqg",
    )
    list_display_links = ("national_code", "name")
    list_filter = (
        "status",
        "online_mode",
        "dvcqg_integrated",
        "at_city",
        "at_district",
        "at_commune",
        "legacy_level",
        "field",
    )
    search_fields = ("name", "national_code", "local_code")
    search_help_text = _("Tìm theo tên (có dấu hoặc không dấu) hoặc mã thủ tục.")
    list_select_related = ("field",)
    autocomplete_fields = ("agencies", "successor")
    inlines = (TimeLimitInline, DocumentInline)
    list_per_page = 50
    change_list_template = "procedures/admin/procedure_change_list.html"
    actions = ("export_selected_csv", "export_selected_xlsx")
    history_list_display = ("status", "online_mode")
    fieldsets = (
        (None, {"fields": ("national_code", "local_code", "name", "field", "status")}),
        (
            _("Cấp và cơ quan thực hiện"),
            {"fields": (("at_city", "at_district", "at_commune"), "agencies")},
        ),
        (
            _("Thời hạn, phí"),
            {
                "fields": (
                    ("time_limit_value", "time_limit_unit"),
                    "supplement_request_days",
                    "needs_leader_decision",
                    "fee",
                    "fee_note",
                )
            },
        ),
        (
            _("Trực tuyến"),
            {
                "fields": (
                    "online_mode",
                    "legacy_level",
                    ("dvcqg_integrated", "dvcqg_integrated_on"),
                )
            },
        ),
        (_("Nội dung"), {"fields": ("steps", "result_document", "legal_basis")}),
        (_("Hiệu lực"), {"fields": (("valid_from", "valid_to"), "successor")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"name", "result_document", "fee_note"}:
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("trực tuyến"), ordering="online_mode")
    def online_short(self, obj):
        return {"full": _("Toàn trình"), "partial": _("Một phần")}.get(obj.online_mode, "—")

    @admin.display(description="DVCQG", boolean=True, ordering="dvcqg_integrated")
    def dvcqg(self, obj):
        return obj.dvcqg_integrated

    @admin.display(description=_("thời hạn"))
    def time_limit_display(self, obj):
        value = f"{obj.time_limit_value:f}".rstrip("0").rstrip(".")
        return f"{value} {obj.get_time_limit_unit_display()}"

    def get_search_results(self, request, queryset, search_term):
        # The folded search text makes "cap giay phep" find "Cấp giấy phép".
        if not search_term.strip():
            return queryset, False
        return search_procedures(queryset, search_term), False

    def save_model(self, request, obj, form, change):
        procedure_save(
            procedure=obj,
            user=request.user,
            reason=str(_("Sửa trong trang quản trị") if change else _("Tạo trong trang quản trị")),
        )

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="procedures_procedure_import",
            ),
            path(
                "import/sample.csv",
                self.admin_site.admin_view(self.import_sample_view),
                name="procedures_procedure_import_sample",
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="procedures_procedure_export",
            ),
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > importers.MAX_BYTES:
                form.add_error("file", _("Tệp lớn hơn 10 MB."))
            else:
                report = importers.import_procedures(
                    filename=upload.name, content=upload.read(), user=request.user
                )
                if report.ok:
                    messages.success(
                        request,
                        _("Đã nhập %(rows)d dòng: %(c)d mới, %(u)d cập nhật, %(n)d không đổi.")
                        % {
                            "rows": report.rows,
                            "c": report.created,
                            "u": report.updated,
                            "n": report.unchanged,
                        },
                    )
                    return redirect(reverse("admin:procedures_procedure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Nhập thủ tục từ tệp CSV/XLSX"),
            "form": form,
            "report": report,
            "columns": importers.COLUMNS,
            "column_help": IMPORT_COLUMN_HELP,
        }
        return TemplateResponse(request, "procedures/admin/import.html", context)

    def import_sample_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(exporters.sample_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-thu-tuc.csv"'
        return response

    def export_view(self, request, fmt):
        if fmt not in {"csv", "xlsx"} or not self.has_view_permission(request):
            raise PermissionDenied
        # The same filters and search as the changelist the button was pressed on.
        changelist = self.get_changelist_instance(request)
        return _export_response(changelist.get_queryset(request), fmt)

    @admin.action(description=_("Xuất các thủ tục đã chọn ra CSV"))
    def export_selected_csv(self, request, queryset):
        return _export_response(queryset, "csv")

    @admin.action(description=_("Xuất các thủ tục đã chọn ra XLSX"))
    def export_selected_xlsx(self, request, queryset):
        return _export_response(queryset, "xlsx")


def _export_response(queryset, fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    queryset = queryset.order_by("national_code")
    if fmt == "csv":
        response = HttpResponse(
            exporters.export_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exporters.export_xlsx(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="thu-tuc-{stamp}.{fmt}"'
    return response


IMPORT_COLUMN_HELP = {
    "national_code": _("Mã thủ tục dạng 1.000178; thủ tục đã có mã này sẽ được cập nhật."),
    "name": _("Tên thủ tục, có dấu tiếng Việt."),
    "field_code": _("Mã lĩnh vực; mã mới cần thêm cột field_name."),
    "field_name": _("Tên lĩnh vực (tạo mới hoặc đổi tên)."),
    "levels": _("tinh / huyen / xa (hoặc city / district / commune), cách nhau bởi dấu ;"),
    "agencies": _("Mã định danh cơ quan thực hiện, cách nhau bởi dấu ; (ví dụ 000.00.03.H26)."),
    "time_limit_value": _("Số, ví dụ 5 hoặc 0,5."),
    "time_limit_unit": _(
        "working_days (mặc định), calendar_days, working_hours, months hoặc nhãn tiếng Việt."
    ),
    "fee": _("Số tiền (đồng), chỉ gồm chữ số; để trống nếu không quy định."),
    "fee_note": _("Ghi chú về phí, lệ phí."),
    "online_mode": _("none / partial / full hoặc không / một phần / toàn trình."),
    "legacy_level": _("Mức độ 1–4 trước 15/8/2022, hoặc để trống."),
    "dvcqg_integrated": _("có / không."),
    "dvcqg_integrated_on": _("Ngày tích hợp: 2024-12-31 hoặc 31/12/2024."),
    "local_code": _("Mã công bố địa phương, ví dụ 1.001234.000.00.00.H26."),
    "result_document": _("Kết quả người dân nhận được."),
    "steps": _("Trình tự thực hiện, mỗi bước một dòng."),
    "legal_basis": _("Căn cứ pháp lý, mỗi văn bản một dòng."),
    "status": _("published (mặc định) / draft / archived."),
    "documents": _(
        "Mỗi dòng một giấy tờ: tên | original/copy/either | số lượng | optional. "
        "Để trống thì giữ nguyên."
    ),
    "time_limits": _(
        "Mỗi dòng một thời hạn riêng: kênh (desk/post/online/dvcqg hoặc trống) | "
        "trường hợp | số | đơn vị."
    ),
}

# Accounts and groups with translated permission names (issue 14).
from . import admin_accounts  # noqa: E402, F401
