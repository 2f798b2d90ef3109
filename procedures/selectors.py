"""Reads of the catalogue. The public catalogue shows published procedures to everyone."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Agency, Procedure
from .search import search_procedures


def procedure_catalogue(*, user=None, filters: dict | None = None) -> QuerySet[Procedure]:
    """Published procedures matching the public filters, searched and ranked.

    ``filters`` holds cleaned values of ``forms.CatalogueFilterForm``. The catalogue is public
    (Decree 63/2010 art. 15: procedures must be publicly disclosed), so ``user`` does not narrow
    it; it is accepted so every selector has the same shape.
    """
    filters = filters or {}
    qs = Procedure.objects.filter(status=Procedure.Status.PUBLISHED).select_related("field")
    if filters.get("field"):
        qs = qs.filter(field=filters["field"])
    level = filters.get("level")
    if level in {"city", "district", "commune"}:
        qs = qs.filter(**{f"at_{level}": True})
    if filters.get("agency"):
        qs = qs.filter(agencies=filters["agency"])
    online = filters.get("online")
    if online == "online":
        qs = qs.exclude(online_mode=Procedure.OnlineMode.NONE)
    elif online in Procedure.OnlineMode.values:
        qs = qs.filter(online_mode=online)
    if filters.get("dvcqg") == "yes":
        qs = qs.filter(dvcqg_integrated=True)
    elif filters.get("dvcqg") == "no":
        qs = qs.filter(dvcqg_integrated=False)
    query = (filters.get("q") or "").strip()
    if query:
        return search_procedures(qs, query)
    # Folded text sorts Đ with D, as a Vietnamese reader expects, on any database collation.
    return qs.order_by("search_text", "national_code")


def procedure_public_detail(*, national_code: str) -> Procedure | None:
    """One published procedure with everything its page shows, or None."""
    return (
        Procedure.objects.filter(status=Procedure.Status.PUBLISHED, national_code=national_code)
        .select_related("field")
        .prefetch_related(
            "required_documents",
            "time_limits",
            Prefetch("agencies", queryset=Agency.objects.order_by("level", "name")),
        )
        .first()
    )
