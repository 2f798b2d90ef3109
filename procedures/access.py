"""Who may see and do what, derived from an official's memberships.

Every page, API view, admin and export asks these helpers; nothing else decides scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from .models import Membership

Role = Membership.Role

# What each role may do to dossiers of its agency (issue: roles and scoping).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.INSPECTOR: frozenset(),
    Role.LEADER: frozenset({"view", "process", "decide", "receive", "return"}),
    Role.DESK: frozenset({"view", "receive", "return"}),
    Role.SPECIALIST: frozenset({"view", "process"}),
}


@dataclass(frozen=True)
class Scope:
    """The agencies a user sees (None = all) and the roles held in each."""

    all_agencies: bool = False
    can_change_all: bool = False
    roles_by_agency: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def agency_ids(self) -> frozenset[int] | None:
        return None if self.all_agencies else frozenset(self.roles_by_agency)

    def sees(self, agency_id: int | None) -> bool:
        return self.all_agencies or agency_id in self.roles_by_agency

    def can(self, action: str, agency_id: int | None) -> bool:
        if self.can_change_all:
            return True
        roles = self.roles_by_agency.get(agency_id, frozenset())
        return any(action in ROLE_ACTIONS[role] for role in roles)

    def can_somewhere(self, action: str) -> bool:
        """Whether the user may do `action` in at least one agency (e.g. to show a menu)."""
        return self.can_change_all or any(self.can(action, a) for a in self.roles_by_agency)

    @property
    def is_official(self) -> bool:
        return self.all_agencies or bool(self.roles_by_agency)


def scope_for(user) -> Scope:
    """The user's scope, computed once per request and cached on the user object."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_cchc_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(all_agencies=True, can_change_all=True)
    else:
        roles: dict[int, set[str]] = {}
        inspector = False
        for agency_id, role in Membership.objects.filter(user=user).values_list(
            "agency_id", "role"
        ):
            if role == Role.INSPECTOR:
                inspector = True
            else:
                roles.setdefault(agency_id, set()).add(role)
        scope = Scope(
            all_agencies=inspector,
            roles_by_agency={a: frozenset(r) for a, r in roles.items()},
        )
    user._cchc_scope = scope
    return scope
