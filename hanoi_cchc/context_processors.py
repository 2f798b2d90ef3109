"""Template context shared by every page."""

from procedures.access import scope_for


def portal(request):
    # Lazy: the membership query runs only when a template asks (the nav, once per page).
    def is_official() -> bool:
        return scope_for(request.user).is_official

    def can_receive() -> bool:
        return scope_for(request.user).can_somewhere("receive")

    return {"is_official": is_official, "can_receive": can_receive}
