"""Admin for dossiers and their history.

State is never edited here: status, dates, deadlines and codes are read-only, history rows
cannot be added, changed or deleted, and the admin actions go through
services.dossier_transition like every other page. Non-superuser staff see only the
dossiers of their agencies (procedures.access via dossiers.selectors).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from procedures.models import RequiredDocument

from . import rules, selectors, services
from .errors import DomainError
from .models import Dossier, DossierEvent
from .workflow import Timeliness


class OverdueFilter(admin.SimpleListFilter):
    title = _("quá hạn")
    parameter_name = "qua_han"

    def lookups(self, request, model_admin):
        return [("yes", _("Đang quá hạn")), ("no", _("Không quá hạn"))]

    def queryset(self, request, queryset):
        overdue = rules.overdue_q()
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class TimelinessFilter(admin.SimpleListFilter):
    title = _("tiến độ")
    parameter_name = "tien_do"

    def lookups(self, request, model_admin):
        return [*Timeliness.choices, ("none", _("Chưa có kết quả"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(timeliness="")
        if self.value() in Timeliness.values:
            return queryset.filter(timeliness=self.value())
        return queryset


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "agency", "note", "due_after")
    readonly_fields = fields
    ordering = ("at", "id")
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "agency")


def _transition_action(name: str, label):
    def run(modeladmin, request, queryset):
        done, failed = 0, []
        for dossier_id, code in queryset.values_list("pk", "code")[:200]:
            try:
                services.dossier_transition(actor=request.user, dossier_id=dossier_id, action=name)
                done += 1
            except DomainError as exc:
                failed.append(f"{code or dossier_id}: {exc.message}")
        if done:
            modeladmin.message_user(
                request, gettext("Đã thực hiện cho %(n)d hồ sơ.") % {"n": done}, messages.SUCCESS
            )
        for line in failed[:10]:
            modeladmin.message_user(request, line, messages.ERROR)

    run.short_description = label
    run.__name__ = f"do_{name}"
    return run


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "applicant_name",
        "procedure_name",
        "status",
        "channel",
        "current_agency",
        "due_at",
        "timeliness",
    )
    list_select_related = ("procedure", "current_agency")
    # Exact code, phone or ID, or the start of a name: far cheaper than "contains" over
    # millions of rows, and what a clerk holding a receipt or an ID card types.
    search_fields = (
        "=code",
        "^applicant_name",
        "=applicant_phone",
        "=applicant_id_number",
    )
    search_help_text = _(
        "Mã hồ sơ (đầy đủ), đầu họ tên người nộp, hoặc số điện thoại / số định danh đầy đủ."
    )
    list_filter = ("status", "channel", TimelinessFilter, OverdueFilter, "agency")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    fieldsets = (
        (
            _("Hồ sơ"),
            {"fields": ("code", "procedure", "field", "agency", "current_agency", "channel")},
        ),
        (
            _("Người nộp"),
            {
                "fields": (
                    "applicant_kind",
                    "applicant_name",
                    "applicant_id_number",
                    "applicant_phone",
                    "applicant_email",
                    "applicant_address",
                )
            },
        ),
        (
            _("Trạng thái và thời hạn (chỉ thay đổi qua thao tác xử lý)"),
            {
                "fields": (
                    "status",
                    "documents_list",
                    "submitted_at",
                    "received_at",
                    "clock_started_at",
                    "limit_value",
                    "limit_unit",
                    "due_at",
                    "due_explanation",
                    "extended",
                    "paused_at",
                    "result_ready_at",
                    "returned_at",
                    "closed_at",
                    "timeliness",
                    "fee_amount",
                    "fee_paid_at",
                )
            },
        ),
        (
            _("Đồng bộ và hệ thống"),
            {
                "classes": ("collapse",),
                "fields": (
                    "sync_state",
                    "synced_at",
                    "created_by",
                    "updated_at",
                    "sequence_day",
                    "sequence",
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Everything: a dossier changes only through the workflow services, which write the
        # history row and the DVCQG outbox; an edit here would do neither.
        return [f for _name, opts in self.fieldsets for f in opts["fields"]]

    inlines = [EventInline]
    actions = [
        _transition_action("start_processing", _("Chuyển xử lý các hồ sơ đã chọn")),
        _transition_action("return_result", _("Trả kết quả các hồ sơ đã chọn")),
    ]
    show_full_result_count = False  # no COUNT(*) over the whole table on every page

    @admin.display(description=_("thành phần hồ sơ"))
    def documents_list(self, obj):
        # The stored JSON has English keys ("copies"): show it as the dossier page does.
        forms = dict(RequiredDocument.Form.choices)
        items = [
            format_html(
                "<li>{} – {} – {}</li>",
                d.get("name", ""),
                forms.get(d.get("form"), d.get("form", "")),
                ngettext("%(n)s bản", "%(n)s bản", d.get("copies") or 1)
                % {"n": d.get("copies") or 1},
            )
            for d in obj.documents or []
        ]
        return format_html("<ol>{}</ol>", format_html_join("", "{}", ((i,) for i in items)))

    @admin.display(description=_("thủ tục"), ordering="procedure__name")
    def procedure_name(self, obj):
        return obj.procedure.name[:80]

    def get_search_results(self, request, queryset, search_term):
        """The whole query is one term (a full name has spaces): exact code, phone or ID,
        or the beginning of the applicant's name."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        digits = term.replace(" ", "")
        match = (
            Q(code=term.upper())
            | Q(applicant_name__istartswith=term)
            | Q(applicant_phone=digits)
            | Q(applicant_id_number=digits)
        )
        return queryset.filter(match), False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=selectors.dossiers_visible_to(request.user).values("pk"))

    def get_list_filter(self, request):
        # A staff member of one agency gains nothing from an agency filter of thousands.
        if request.user.is_superuser:
            return self.list_filter
        return tuple(f for f in self.list_filter if f != "agency")

    def has_add_permission(self, request):
        # Intake goes through dossier_receive (code, deadline, history), never a bare insert.
        return False

    def has_delete_permission(self, request, obj=None):
        # Dossiers are records kept under archival rules; withdrawal is a workflow action.
        return False
