"""Admin: annual indices (with CSV/XLSX import), internal PAR index, targets, training,
the Decision 766 scorecard. Statistics tables are derived data: read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import closing
from .imports import IndexImportError, annual_index_import
from .models import (
    AnnualIndex,
    AnnualIndexComponent,
    InternalParScore,
    MonthClose,
    MonthlyStat,
    Restatement,
    ScoreGroup,
    ScoreIndicator,
    Target,
    TrainingRecord,
    TrainingRosterEntry,
)
from .periods import current_month
from .roster import RosterImportError, roster_import


class ComponentInline(admin.TabularInline):
    model = AnnualIndexComponent
    extra = 0
    fields = ("order", "code", "name", "value", "max_value")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc XLSX"),
        help_text=_(
            "Cột: chi_so (par, sipas, papi), nam, thanh_phan (để trống cho dòng tổng), ten, "
            "diem, diem_toi_da, xep_hang, nguon. Có lỗi ở bất kỳ dòng nào thì không nhập dòng nào."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 5 MB)."))
        return f


@admin.register(AnnualIndex)
class AnnualIndexAdmin(admin.ModelAdmin):
    list_display = ("kind", "year", "total", "total_max", "rank", "updated_at", "updated_by")
    list_filter = ("kind",)
    inlines = [ComponentInline]
    readonly_fields = ("updated_at", "updated_by")
    change_list_template = "indicators/admin/annualindex_change_list.html"

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user  # who changed it is recorded
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "nhap/",
                self.admin_site.admin_view(self.import_view),
                name="indicators_annualindex_import",
            )
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            messages.error(request, _("Bạn không có quyền nhập chỉ số."))
            return redirect("admin:indicators_annualindex_changelist")
        errors = []
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = annual_index_import(content=f.read(), filename=f.name, user=request.user)
            except IndexImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Đã nhập %(i)s chỉ số năm, %(c)s chỉ số thành phần.")
                    % {"i": result.indices, "c": result.components},
                )
                return redirect("admin:indicators_annualindex_changelist")
        return render(
            request,
            "indicators/admin/annualindex_import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "errors": errors,
                "opts": self.model._meta,
                "title": _("Nhập chỉ số năm từ tệp"),
            },
        )


@admin.register(InternalParScore)
class InternalParScoreAdmin(admin.ModelAdmin):
    list_display = ("year", "agency", "score", "rank")
    list_filter = ("year", "agency__level")
    search_fields = ("agency__name",)
    autocomplete_fields = ("agency",)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("metric", "year_from", "year_to", "value", "agency", "source")
    list_filter = ("metric", "year_from")
    autocomplete_fields = ("agency",)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ("official", "course", "date", "topic")
    list_filter = ("topic", "date")
    search_fields = ("official__username", "official__last_name", "course")
    autocomplete_fields = ("official",)


class ScoreIndicatorInline(admin.TabularInline):
    model = ScoreIndicator
    extra = 0
    fields = ("order", "code", "name", "points", "metric", "full_at")


@admin.register(ScoreGroup)
class ScoreGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "weight", "order")
    inlines = [ScoreIndicatorInline]


@admin.register(MonthlyStat)
class MonthlyStatAdmin(admin.ModelAdmin):
    """Read-only: recompute with the Celery tasks or `manage.py load_indicator_demo`."""

    list_display = ("month", "agency", "procedure", "received", "settled_late", "open_overdue")
    list_filter = ("month",)
    list_select_related = ("agency", "procedure")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MonthCloseForm(forms.ModelForm):
    class Meta:
        model = MonthClose
        fields = ("month",)
        help_texts = {
            "month": _(
                "Ngày bất kỳ trong tháng cần khóa sổ. Khóa sổ một tháng khóa luôn các tháng "
                "trước chưa khóa; số liệu được công bố và không bị ghi đè."
            )
        }

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month >= current_month():
            raise forms.ValidationError(_("Chỉ khóa sổ được tháng đã kết thúc."))
        if closing.is_closed(month):
            raise forms.ValidationError(_("Tháng này đã được khóa sổ."))
        return month


@admin.register(MonthClose)
class MonthCloseAdmin(admin.ModelAdmin):
    """Closing a month by hand (it also closes itself, see indicators.closing)."""

    form = MonthCloseForm
    list_display = ("month", "closed_at", "closed_by", "automatic")

    def get_readonly_fields(self, request, obj=None):
        return ("month", "closed_at", "closed_by", "automatic") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        closing.month_close(month=form.cleaned_data["month"], user=request.user)
        obj.pk = MonthClose.objects.get(month=form.cleaned_data["month"]).pk

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # published figures are not withdrawn silently


@admin.register(Restatement)
class RestatementAdmin(admin.ModelAdmin):
    list_display = ("month", "dimension", "key", "figure", "old_value", "new_value", "action")
    list_filter = ("month", "dimension")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RosterImportForm(ImportForm):
    file = forms.FileField(
        label=_("Tệp CSV hoặc XLSX"),
        help_text=_(
            "Cột: ma_don_vi (mã định danh hoặc mã thống kê của xã, phường), ho_ten, "
            "so_dinh_danh, chuc_vu, ngay_tap_huan (để trống nếu chưa tập huấn). Tệp thay thế "
            "danh sách của các xã, phường có trong tệp. Có lỗi ở bất kỳ dòng nào thì không "
            "nhập dòng nào."
        ),
    )


@admin.register(TrainingRosterEntry)
class TrainingRosterEntryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "agency", "position", "trained_on")
    list_filter = ("trained_on",)
    search_fields = ("full_name", "id_number", "agency__name")
    autocomplete_fields = ("agency",)
    readonly_fields = ("imported_at",)
    change_list_template = "indicators/admin/roster_change_list.html"

    def save_model(self, request, obj, form, change):
        if obj.imported_at is None:
            obj.imported_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "nhap/",
                self.admin_site.admin_view(self.import_view),
                name="indicators_trainingrosterentry_import",
            )
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            messages.error(request, _("Bạn không có quyền nhập danh sách."))
            return redirect("admin:indicators_trainingrosterentry_changelist")
        errors = []
        form = RosterImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = roster_import(content=f.read(), filename=f.name)
            except RosterImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Đã nhập %(o)s cán bộ của %(c)s xã, phường (%(t)s đã tập huấn).")
                    % {"o": result.officials, "c": result.communes, "t": result.trained},
                )
                return redirect("admin:indicators_trainingrosterentry_changelist")
        return render(
            request,
            "indicators/admin/annualindex_import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "errors": errors,
                "opts": self.model._meta,
                "title": _("Nhập danh sách cán bộ cấp xã phải tập huấn"),
            },
        )
