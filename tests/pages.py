"""Every HTML page of the portal, for every role: the inventory the page-wide tests walk
(no English on Vietnamese pages, no horizontal scroll at 390 px).

`demo_site()` loads a small slice of the demo (the real catalogue loader, dossiers played
through the services, the demo accounts); `pages_by_role()` lists what each account opens.
A route missing from ROUTES fails `test_every_route_is_in_the_inventory`: a new page must
be added here (or listed in NOT_PAGES with the reason) so that it is checked too.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

# Routes that are not HTML pages a person reads (POST-only, PDF, redirects, the API).
NOT_PAGES = {
    "logout": "POST only",
    "home": "redirect to procedures:list",
    "set_language": "POST only",
    "dossiers:act": "POST only",
    "dossiers:rate": "POST only (the form is on the lookup page)",
    "dossiers:ledger": "PDF (checked by the PDF tests)",
    "dossiers:form_pdf": "PDF (checked by the PDF tests)",
    "healthz": "JSON for monitoring",
    "dossiers:online_file": "a file download (tests/online walks every file URL)",
    "dossiers:official_file": "a file download (tests/online walks every file URL)",
    "dossiers:online_supplement": "POST only (the form is on the applicant's page)",
    "dossiers:online_pay": "redirect to the payment gateway",
    "dossiers:online_paygov": "the gateway's callback",
    "dossiers:online_leave": "POST only",
    "dossiers:online_attach": "POST only (the form is on the dossier page)",
    "dossiers:online_fee_request": "POST only (the form is on the dossier page)",
    "dossiers:online_mine": "needs the applicant's code + secret (tests/e2e/test_online_flow)",
    "dossiers:online_receipt": "needs the applicant's code + secret (tests/e2e/test_online_flow)",
}
NOT_PAGE_PREFIXES = ("admin/", "api/", "favicon.ico", "static/", "i18n/")


def route_names() -> set[str]:
    """Every named, non-admin, non-API route of the URLconf."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(NOT_PAGE_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def demo_site(*, procedures: int = 25, dossiers: int = 40) -> dict:
    """A small demo: agencies, `procedures` demo procedures, dossiers, the demo accounts."""
    import io

    from dossiers.demo import load_demo_dossiers
    from procedures.demo import demo_users_ensure, load_catalogue

    load_catalogue(limit=procedures, stdout=io.StringIO())
    load_demo_dossiers(count=dossiers, now=NOW)
    demo_users_ensure()
    return {}


def pages_by_role() -> dict[str, list[tuple[str, str]]]:
    """{login or "" (anonymous): [(route name, url), …]} over the demo site."""
    from django.urls import reverse

    from dossiers.demo import DEMO_COMMUNE_GSO
    from dossiers.models import Dossier
    from procedures.models import Agency, Procedure

    commune = Agency.objects.get(gso_code=DEMO_COMMUNE_GSO, level=Agency.Level.COMMUNE)
    procedure = Procedure.objects.filter(agencies=commune).order_by("pk").first()
    dossier = Dossier.objects.filter(agency=commune).exclude(code=None).order_by("pk").first()
    public = [
        ("procedures:list", reverse("procedures:list")),
        ("procedures:list", reverse("procedures:list") + "?q=dang+ky"),
        ("procedures:detail", reverse("procedures:detail", args=[procedure.national_code])),
        ("dossiers:lookup", reverse("dossiers:lookup")),
        ("dossiers:online_access", reverse("dossiers:online_access")),
        ("indicators:disclosure", reverse("indicators:disclosure")),
        ("login", reverse("login")),
    ]
    official = [
        ("dossiers:worklist", reverse("dossiers:worklist")),
        ("dossiers:intake", reverse("dossiers:intake")),
        ("dossiers:intake", reverse("dossiers:intake") + f"?thu_tuc={procedure.pk}"),
        ("indicators:city", reverse("indicators:city")),
        ("indicators:agency", reverse("indicators:agency", args=[commune.pk])),
        ("indicators:procedure", reverse("indicators:procedure", args=[procedure.pk])),
        ("indicators:indices", reverse("indicators:indices")),
    ]
    if dossier is not None:
        official.append(("dossiers:detail", reverse("dossiers:detail", args=[dossier.code])))
    online = Procedure.objects.filter(online_mode__in=["partial", "full"]).order_by("pk").first()
    if online is not None:
        public.insert(
            0,
            (
                "dossiers:online_submit",
                reverse("dossiers:online_submit", args=[online.national_code]),
            ),
        )
    pages = {"": public}
    for login in ("motcua", "chuyenvien", "lanhdao", "thanhtra"):
        pages[login] = public[:-1] + official
    pages["admin"] = public[:-1] + official + admin_pages()
    return pages


def admin_pages() -> list[tuple[str, str]]:
    """The admin index, and each registered model's list, add form and first object."""
    pages = [("admin:index", "/admin/")]
    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        pages.append(("admin:changelist", base))
        pages.append(("admin:add", base + "add/"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(("admin:change", f"{base}{first.pk}/change/"))
    return pages
