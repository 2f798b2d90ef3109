"""Template context shared by every page."""

from procedures.access import scope_for


def portal(request):
    # Lazy: the membership query runs only when a template asks (the nav, once per page).
    def is_official() -> bool:
        return scope_for(request.user).is_official

    return {"is_official": is_official}
