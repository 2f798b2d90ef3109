"""The officials' pages: intake, worklist, the dossier page and its actions, printed forms.

Thin views: scoping goes through dossiers.selectors, every change through
dossiers.services; a refusal of the workflow is shown as a message, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hanoi_cchc.edges import parse_day, parse_id
from procedures.access import scope_for
from procedures.models import Agency, Procedure
from procedures.search import fold, search_procedures

from . import payments, rules, selectors, services, worklist_choices
from .calendar_store import get_calendar
from .forms import IntakeForm, WorklistFilter, action_form
from .models import Dossier
from .pdf import RENDERERS, render_form_06
from .pdf.forms import LINK_TITLES
from .views_common import (
    CORRECTABLE,
    ROLE_BY_PERMISSION,
    days_left,
    deadline,
    explanation,
    is_overdue,
    timeline,
)
from .workflow import (
    ACTIONS,
    NOT_ACCEPTED_STATUSES,
    Status,
)

PAGE_SIZE = 25
# Deep OFFSETs cost as much as the rows they skip: past this page, ask for a filter.
MAX_PAGE = 400


def official_required(view):
    """Logged in and holding a role somewhere (or superuser); others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not scope_for(request.user).is_official:
            raise PermissionDenied(_("Trang này chỉ dành cho cán bộ có vai trò được phân quyền."))
        return view(request, *args, **kwargs)

    return wrapper


@dataclass
class Window:
    """One page of the worklist, found without counting the whole list.

    Counting an agency's open dossiers scans all of them, on every page view; instead we
    read one row more than the page holds to know whether a next page exists. The total
    is known (and shown) only on the last page.
    """

    number: int
    rows: list
    has_next: bool
    # The page asked for, when it was past the last row and the last page is shown instead.
    asked: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def total(self) -> int | None:
        return None if self.has_next else self.end_index


def window(queryset, raw_number) -> Window:
    try:
        requested = max(int(raw_number), 1)
    except (TypeError, ValueError):
        requested = 1
    number = min(requested, MAX_PAGE)
    offset = (number - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    if not rows and number > 1:
        # Past the end: find the last page by counting at most the `offset` rows the
        # OFFSET above already walked (bounded by MAX_PAGE pages), never the whole list.
        total = queryset.order_by().values("pk")[:offset].count()
        last = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        clamped = window(queryset, last)
        clamped.asked = requested
        return clamped
    return Window(number=number, rows=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE)


def vi_sorted(rows) -> list:
    """Rows with a `name`, in Vietnamese reading order: the catalogue's fold() puts
    "Cấp…" before "Chứng thực…" and Đ beside D, which no database collation here does."""
    return sorted(rows, key=lambda row: (fold(row.name), row.name, row.pk))


def _intake_agencies(user):
    scope = scope_for(user)
    if scope.can_change_all:
        return Agency.objects.filter(valid_to__isnull=True)
    ids = [a for a in scope.roles_by_agency if scope.can("receive", a)]
    return Agency.objects.filter(pk__in=ids)


# --- intake ------------------------------------------------------------------------------


@official_required
def intake(request):
    agencies = _intake_agencies(request.user)
    agency_list = list(agencies.order_by("name"))
    if not agency_list:
        raise PermissionDenied(_("Chỉ cán bộ Một cửa hoặc lãnh đạo được tiếp nhận hồ sơ."))
    procedures = Procedure.objects.filter(
        status=Procedure.Status.PUBLISHED, agencies__in=agency_list
    ).distinct()
    query = request.GET.get("q", "").strip()[:100]
    # The catalogue's own search: diacritics-free, ranked, same as the public catalogue.
    if query:
        choices = list(
            search_procedures(procedures, query).only("pk", "national_code", "name")[:500]
        )
    else:
        choices = vi_sorted(procedures.only("pk", "national_code", "name")[:500])

    procedure = None
    picked = (request.POST.get("procedure") or request.GET.get("thu_tuc") or "").strip()
    if picked and not picked.isdigit():
        messages.error(request, _("Mã thủ tục đã chọn không hợp lệ; hãy chọn lại trong danh sách."))
    elif picked:
        procedure = (
            Procedure.objects.filter(
                pk=picked, status=Procedure.Status.PUBLISHED, agencies__in=agency_list
            )
            .prefetch_related("required_documents")
            .first()
        )
        if procedure is None:
            messages.error(request, _("Thủ tục đã chọn không thuộc cơ quan của bạn."))

    form, status = None, 200
    if procedure is not None:
        form = IntakeForm(
            request.POST or None,
            procedure=procedure,
            agencies=agencies,
            initial={"agency": agency_list[0].pk},
        )
        if len(agency_list) == 1:
            form.fields["agency"].widget = form.fields["agency"].hidden_widget()
        if request.method == "POST":
            # Refused (the form's errors, or the service's): the page comes back with
            # everything typed, and a 4xx like every other refusal.
            status = 400
            if form.is_valid():
                response = _intake_decide(request, form)
                if not isinstance(response, int):
                    return response
                status = response
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "dossiers/intake.html",
        {
            "choices": choices,
            "query": query,
            "procedure": procedure,
            "form": form,
            "agencies": agency_list,
        },
        status=status,
    )


def _intake_decide(request, form: IntakeForm) -> HttpResponse | int:
    """The outcome the desk chose, through the one intake service: a redirect to the new
    dossier, or the status code of a refusal (its message is queued)."""
    data = form.cleaned_data
    decision = form.decision()
    outcome = {IntakeForm.GUIDE: "guide_incomplete", IntakeForm.REFUSE: "refuse_intake"}.get(
        decision, "receive"
    )
    try:
        dossier = services.dossier_intake(
            actor=request.user,
            outcome=outcome,
            procedure=form.procedure_obj,
            agency=data["agency"],
            channel=data["channel"],
            applicant=form.applicant(),
            documents=form.documents_payload(),
            case=data.get("case") or "",
            note=data.get("note", ""),
            missing=data.get("missing_text", ""),
            reason=(data.get("reason") or "").strip(),
        )
    except CORRECTABLE as exc:
        # Shown beside the form the desk is filling in; NotFound / NotPermitted go to the
        # page mapping (dossiers.middleware). The status is the page's.
        messages.error(request, exc.message)
        return exc.status_code
    if outcome == "guide_incomplete":
        messages.success(request, _("Đã lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)."))
        form_no = "02"
    elif outcome == "refuse_intake":
        messages.success(request, _("Đã lập Phiếu từ chối tiếp nhận (Mẫu 03)."))
        form_no = "03"
    else:
        messages.success(
            request,
            _("Đã tiếp nhận hồ sơ, mã %(code)s. In Giấy tiếp nhận và hẹn trả (Mẫu 01).")
            % {"code": dossier.code},
        )
        form_no = "01"
    url = reverse("dossiers:detail", args=[dossier.code or dossier.pk])
    return redirect(f"{url}?in={form_no}")


# --- worklist ----------------------------------------------------------------------------


@official_required
def worklist(request):
    scope = scope_for(request.user)
    # The filter lists, ledger agencies and agency names: cached per scope (worklist_choices).
    choices = worklist_choices.choices_for(scope)
    filters = WorklistFilter(
        request.GET or None, procedures=choices.procedures, fields=choices.fields
    )
    criteria = {}
    if filters.is_bound:
        if not filters.is_valid():
            # Keep the valid conditions; name the ones dropped and why (a stale or edited link).
            dropped = "; ".join(
                f"{filters.fields[name].label}: {' '.join(errors)}"
                for name, errors in filters.errors.items()
                if name in filters.fields
            )
            messages.warning(
                request,
                _("Đã bỏ qua điều kiện lọc không hợp lệ – %(dropped)s") % {"dropped": dropped},
            )
        d = filters.cleaned_data  # only the fields that validated
        criteria = {
            "status": d.get("trang_thai") or None,
            "procedure": d.get("thu_tuc"),
            "field": d.get("linh_vuc"),
            "due_within_days": d.get("sap_den_han"),
            "overdue": True if d.get("qua_han") else None,
            "search": d.get("q") or None,
        }
    # Joins to the catalogue tables led PostgreSQL to a plan over every dossier (measured
    # at 1M rows: 1.3 s joined); the names come from the cached lists instead, so the page
    # is one query.
    queryset = selectors.worklist(request.user, **criteria).select_related(None)
    raw_page = request.GET.get("page", "1").strip() or "1"
    if not raw_page.isdigit():
        messages.warning(request, _("Số trang không hợp lệ, đang hiển thị trang 1."))
    page = window(queryset, raw_page)
    if page.asked is not None:
        messages.info(
            request,
            _("Không có trang %(asked)s; đang hiển thị trang cuối (trang %(last)s).")
            % {"asked": page.asked, "last": page.number},
        )
    procedure_names = _names_for(
        page.rows, "procedure_id", choices.procedure_names, Procedure.objects
    )
    agency_names = _names_for(page.rows, "current_agency_id", choices.agency_names, Agency.objects)
    now, calendar = timezone.now(), get_calendar()
    # One reverse() and one label map per page, not one {% url %} and get_status_display()
    # per row (a tenth of the page's CPU, bench/profile_hot.py).
    detail_url = reverse("dossiers:detail", args=["0"])[: -len("0/")]
    status_labels = dict(Dossier._meta.get_field("status").flatchoices)
    rows = []
    for d in page.rows:
        # In the unit of the limit; None while the clock is stopped (views_common.days_left).
        left = days_left(d, now, calendar)
        late = is_overdue(d, now)
        rows.append(
            {
                "d": d,
                "overdue": late,
                "left": left,
                "late_by": -left if late and left else 0,
                "procedure_name": procedure_names.get(d.procedure_id, ""),
                "agency_name": agency_names.get(d.current_agency_id, ""),
                "url": f"{detail_url}{quote(d.code or str(d.pk), safe='')}/",
                "status_label": status_labels.get(d.status, d.status),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dossiers/worklist.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "max_page": MAX_PAGE,
            "filtered": bool(criteria and any(v is not None for v in criteria.values())),
            # The landing page of every role: the intake button only for those who receive.
            "can_receive": scope.can_change_all
            or any(scope.can("receive", a) for a in scope.roles_by_agency),
            "ledger_agencies": choices.ledger_agencies,
            "ledger_from": timezone.localdate().replace(day=1),
            "ledger_to": timezone.localdate(),
        },
    )


def _names_for(rows, attribute: str, cached: dict, manager) -> dict:
    """Names by id for the rows shown: the cached map, plus one query for any it lacks
    (an agency or procedure created since, or outside the scope's lists)."""
    missing = {getattr(d, attribute) for d in rows} - cached.keys()
    if not missing:
        return cached
    return {**cached, **dict(manager.filter(pk__in=missing).values_list("pk", "name"))}


# --- the dossier page --------------------------------------------------------------------


def _resolve(request, ref: str) -> selectors.Access:
    """A dossier by primary key or by code, and what the user may do to it (scoped)."""
    if ref.isdigit():
        return selectors.dossier_access(request.user, int(ref))
    pk = (
        selectors.dossiers_visible_to(request.user)
        .filter(code=ref.strip())
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise Http404("dossier not found")
    return selectors.dossier_access(request.user, pk)


def _has_form(dossier, number: str) -> bool:
    """Whether the dossier holds what form `number` prints (a form is never blank)."""
    if number in {"01", "05"}:
        return bool(dossier.code)
    if number == "02":
        return dossier.supplements.exists()
    if number == "03":
        # Form 03 serves both the refusal at intake and the refusal to settle.
        return dossier.status in {Status.INTAKE_REFUSED, Status.REFUSED}
    if number == "04":
        return getattr(dossier, "apology", None) is not None
    return False


def printable_forms(dossier) -> list[tuple[str, str]]:
    forms = [n for n in ("01", "02", "03", "04", "05") if _has_form(dossier, n)]
    return [(n, LINK_TITLES[n]) for n in forms]


@dataclass
class Refused:
    """An action the server refused, with the form as the official filled it in: the page
    comes back with the typed text in place and the reason beside it (issue 14)."""

    name: str
    form: object
    status: int


@official_required
def detail(request, ref: str):
    return _detail_page(request, _resolve(request, ref))


def _detail_page(request, access: selectors.Access, refused: Refused | None = None):
    dossier, scope = access.dossier, scope_for(request.user)
    apology = getattr(dossier, "apology", None)
    actions = [(action, action_form(action.name, dossier=dossier)) for action in access.actions]
    if refused is not None:
        _focus(refused.form)
        # The bound form replaces the empty one; an action no longer offered (the status
        # moved on meanwhile) still shows what was typed, so nothing has to be retyped.
        actions = [(a, refused.form if a.name == refused.name else f) for a, f in actions]
        if refused.name not in access.action_names:
            actions.append((ACTIONS[refused.name], refused.form))
    # Form 04 is offered only when it can succeed; to whom it would belong, say why not.
    apologize = ACTIONS["apologize"]
    apology_note = None
    if (
        apologize not in access.actions
        and dossier.status in apologize.sources
        and rules.acting_agency(scope, apologize, dossier) is not None
    ):
        apology_note = rules.apology_refusal(dossier)
    events = selectors.history(dossier)
    shown = deadline(dossier)
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "timeline": timeline(events, public=False),
            "explanation": explanation(dossier),
            "transfers": dossier.transfers.select_related("from_agency", "to_agency").order_by(
                "sent_at"
            ),
            "supplements": dossier.supplements.order_by("requested_at"),
            "apology": apology,
            "rating": getattr(dossier, "rating", None),
            "actions": actions,
            "refused": refused.name if refused else "",
            "offered": access.action_names,
            "apology_note": apology_note,
            "next_steps": next_step_lines(dossier, access.actions),
            "printable": printable_forms(dossier),
            "overdue": shown.overdue,
            "days_left": shown.left,
            "deadline": shown,
            "assignee_name": rules.person_name(dossier.assignee) if dossier.assignee_id else "",
            "just_printed": request.GET.get("in", ""),
            "not_accepted": dossier.status in NOT_ACCEPTED_STATUSES,
            "notifications": dossier.notifications.order_by("id"),  # issue 13
        },
        status=refused.status if refused else 200,
    )


def _focus(form) -> None:
    """Bring the refused form into view: the browser scrolls to an autofocused field (no
    script needed). The first field in error, else the first one that is not the note."""
    names = [n for n in form.fields if n in form.errors] or [n for n in form.fields if n != "note"]
    name = (names or list(form.fields))[0]
    form.fields[name].widget.attrs["autofocus"] = True


def next_step_lines(dossier, offered) -> list[str]:
    """Who acts next on the dossier, and on what, when the viewer is not the one: one
    sentence per step of dossiers.rules.next_steps (issue 14: after asking for a supplement
    the specialist is told that the desk records it)."""
    steps = rules.next_steps(dossier)
    names = {a.name for a in offered}
    if any(step.action is not None and step.action.name in names for step in steps):
        return []
    agencies = {
        dossier.agency_id: dossier.agency,
        dossier.current_agency_id: dossier.current_agency,
    }
    lines = []
    for step in steps:
        if step.action is None:
            lines.append(str(step.applicant_part))
            continue
        agency = agencies.get(step.agency_id) or Agency.objects.filter(pk=step.agency_id).first()
        lines.append(
            _("%(role)s – %(agency)s: %(action)s.")
            % {
                "role": ROLE_BY_PERMISSION[step.action.permission],
                "agency": agency.name if agency else "—",
                "action": step.action.label,
            }
        )
    return lines


@official_required
def act(request, pk: int, action: str):
    dossier = selectors.access_dossier(request.user, pk)
    back = reverse("dossiers:detail", args=[dossier.code or dossier.pk])
    if request.method != "POST":
        # An action URL opened from a bookmark or the history: changes need the form.
        messages.info(request, _("Hãy chọn thao tác và bấm nút trong mục “Thao tác” của hồ sơ."))
        return redirect(back)
    if action not in ACTIONS:
        messages.error(request, _("Thao tác không tồn tại."))
        return redirect(back)
    form = action_form(action, request.POST, dossier=dossier)
    if not form.is_valid():
        # The errors stand beside their fields; the message says the action was not done.
        messages.error(
            request,
            _("Chưa thực hiện “%(action)s”: hãy sửa các ô được đánh dấu.")
            % {"action": ACTIONS[action].label},
        )
        access = selectors.dossier_access(request.user, pk)
        return _detail_page(request, access, Refused(action, form, 400))
    try:
        dossier = payments.dossier_action(
            actor=request.user,
            dossier_id=dossier.pk,
            action=action,
            note=form.cleaned_data.get("note", ""),
            **form.params(),
        )
    except CORRECTABLE as exc:
        messages.error(request, exc.message)
        for field, errors in exc.fields.items():
            if field in form.fields:
                for error in errors:
                    form.add_error(field, error)
        # Read again: the refusal may be a status that moved on under the official's feet.
        access = selectors.dossier_access(request.user, pk)
        return _detail_page(request, access, Refused(action, form, exc.status_code))
    messages.success(
        request,
        _("Đã thực hiện: %(action)s. Trạng thái hiện tại: %(status)s.")
        % {"action": ACTIONS[action].label, "status": dossier.get_status_display()},
    )
    return redirect(reverse("dossiers:detail", args=[dossier.code or dossier.pk]))


# --- printed forms -----------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@official_required
def form_pdf(request, pk: int, number: str):
    if number not in RENDERERS:
        raise Http404("no such form")
    dossier = _resolve(request, str(pk)).dossier
    if not _has_form(dossier, number):
        raise Http404("the dossier has nothing this form prints")
    return _pdf(RENDERERS[number](dossier), f"mau-{number}-{dossier.code or dossier.pk}.pdf")


def _start_of(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def _ledger_agencies(scope):
    if scope.all_agencies:
        return Agency.objects.order_by("name")
    return Agency.objects.filter(pk__in=scope.agency_ids).order_by("name")


# The dates a ledger may cover (a typed year 9999 or 0001 is refused, not overflowed).
LEDGER_FIRST, LEDGER_LAST = date(2000, 1, 1), date(2099, 12, 31)
# What form 06 prints: the row's columns, and the two names it shows.
LEDGER_COLUMNS = (
    "code",
    "status",
    "timeliness",
    "applicant_name",
    "applicant_address",
    "applicant_phone",
    "received_at",
    "due_at",
    "result_ready_at",
    "returned_at",
    "procedure__name",
    "current_agency__name",
)


@official_required
def ledger_pdf(request):
    """Form 06 for one agency and a period (default: the current month)."""
    agencies = _ledger_agencies(scope_for(request.user))
    raw_agency = request.GET.get("co_quan", "").strip()
    agency_id = parse_id(raw_agency)
    if raw_agency and agency_id is None:
        messages.error(request, _("Cơ quan không hợp lệ."))
        return redirect("dossiers:worklist")
    agency = (agencies.filter(pk=agency_id).first() if agency_id else None) or (agencies.first())
    if agency is None:
        raise Http404("no agency")
    today = timezone.localdate()
    # Days past the portal's range (9999-12-31) overflowed the period's arithmetic (a 500).
    date_from = parse_day(request.GET.get("tu") or today.replace(day=1).isoformat())
    date_to = parse_day(request.GET.get("den") or today.isoformat())
    if date_from is None or date_to is None:
        messages.error(request, _("Ngày không hợp lệ (dạng YYYY-MM-DD)."))
        return redirect("dossiers:worklist")
    if not (LEDGER_FIRST <= date_from <= LEDGER_LAST and LEDGER_FIRST <= date_to <= LEDGER_LAST):
        # 9999-12-31 + 1 day overflows: a message, not a 500 (issue 12).
        messages.error(request, _("Ngày không hợp lệ (dạng YYYY-MM-DD)."))
        return redirect("dossiers:worklist")
    if date_to < date_from or (date_to - date_from) > timedelta(days=366):
        messages.error(request, _("Kỳ in sổ phải từ 1 ngày đến 1 năm."))
        return redirect("dossiers:worklist")
    # Every dossier received by an agency in the user's scope is theirs to see (the agency
    # came from _ledger_agencies): no visibility subquery over the transfers, just the
    # (agency, received_at) index over the period's rows (issue 10 item 4).
    dossiers = (
        Dossier.objects.filter(
            agency=agency,
            # A range on the column (not __date) so the (agency, received_at) index serves.
            received_at__gte=_start_of(date_from),
            received_at__lt=_start_of(date_to + timedelta(days=1)),
        )
        .select_related("procedure", "current_agency")
        .only(*LEDGER_COLUMNS)
        .order_by("received_at", "id")
    )
    content = render_form_06(agency=agency, dossiers=dossiers, date_from=date_from, date_to=date_to)
    return _pdf(content, f"so-theo-doi-{agency.identifier_code}-{date_from:%Y%m%d}.pdf")
