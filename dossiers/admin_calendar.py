"""Admin for the working calendar (CalendarDay): corrections to the library's calendar.

Adding, changing and deleting go through the calendar services, so the engine reads the
edited calendar at once (calendar_store.get_calendar compares the rows it was built from).
The "effective calendar" page lists, for a year, every day the `holidays` package marks
and every override, with the result the deadline engine uses.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hanoi_cchc.edges import parse_id

from .calendar import WEEKDAY_NAMES
from .calendar_store import calendar_day_delete, calendar_day_set, effective_year
from .models import CalendarDay


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        year = parse_id(value)
        if year and 1990 <= year <= 2100:
            return queryset.filter(date__year=year)
        return queryset


class CalendarDayForm(forms.ModelForm):
    # Vietnamese write dates day first; Django's "vi" locale has no input formats, so the
    # default would read 04/12/2026 as 12 April. The admin date picker writes ISO dates.
    date = forms.DateField(
        label=_("ngày"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=AdminDateWidget
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "decision"]
        help_texts = {
            "decision": _("Số, ngày của văn bản quy định ngày nghỉ hoặc ngày làm bù (bắt buộc)."),
            "name": _("Ví dụ: Nghỉ Tết Nguyên đán, Làm bù cho ngày 29/04."),
        }

    def clean_decision(self):
        decision = (self.cleaned_data.get("decision") or "").strip()
        if not decision:
            raise ValidationError(_("Cần ghi văn bản quyết định việc điều chỉnh ngày này."))
        return decision


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["day", "weekday", "kind", "name", "decision", "creator", "created"]
    list_filter = ["kind", YearFilter]
    search_fields = ["name", "decision"]
    date_hierarchy = "date"
    readonly_fields = ["creator", "created"]
    change_list_template = "admin/dossiers/calendarday/change_list.html"

    @admin.display(description=_("ngày"), ordering="date")
    def day(self, obj):
        return f"{obj.date:%d/%m/%Y}"

    @admin.display(description=_("người nhập"), ordering="created_by__username")
    def creator(self, obj):
        return obj.created_by or "—"

    @admin.display(description=_("thời điểm nhập"), ordering="created_at")
    def created(self, obj):
        if not obj.created_at:
            return "—"
        return f"{timezone.localtime(obj.created_at):%H:%M %d/%m/%Y}"

    @admin.display(description=_("thứ"))
    def weekday(self, obj):
        return WEEKDAY_NAMES[obj.date.weekday()]

    def get_urls(self):
        return [
            path(
                "effective/",
                self.admin_site.admin_view(self.effective_view),
                name="dossiers_calendarday_effective",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        # The service owns the write (lock, validation, log); keep the admin's pk in sync.
        if change and "date" in form.changed_data and form.initial.get("date"):
            calendar_day_delete(actor=request.user, date=form.initial["date"])
        saved = calendar_day_set(
            actor=request.user, date=obj.date, kind=obj.kind, name=obj.name, decision=obj.decision
        )
        obj.pk, obj.created_by, obj.created_at = saved.pk, saved.created_by, saved.created_at
        result = getattr(saved, "redated", None)
        if result is not None and (result.redated or result.kept):
            self.message_user(
                request,
                _(
                    "Hồ sơ đang giải quyết bị ảnh hưởng: %(moved)d hồ sơ đã được tính lại hạn "
                    "(có ghi lịch sử); %(kept)d hồ sơ giữ nguyên hạn (đã hẹn lại theo Mẫu 04, "
                    "tính theo quy tắc tạm dừng, hoặc cấu hình không tự tính lại)."
                )
                % {"moved": len(result.redated), "kept": len(result.kept)},
            )

    def delete_model(self, request, obj):
        calendar_day_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for day in list(queryset):
            calendar_day_delete(actor=request.user, date=day.date)

    def effective_view(self, request):
        """Read-only: the year's special days as the library gives them, and the result."""
        raw = request.GET.get("year", "")
        year = parse_id(raw)
        if not year or not 1990 <= year <= 2100:
            year = timezone.now().year
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Lịch làm việc hiệu lực năm %(year)s") % {"year": year},
            "year": year,
            "years": range(year - 3, year + 4),
            "days": effective_year(year),
            "add_url": reverse("admin:dossiers_calendarday_add"),
        }
        return TemplateResponse(request, "admin/dossiers/calendarday/effective.html", context)
