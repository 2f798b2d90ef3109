"""People's names in Vietnamese order: family name, middle name(s), given name.

Accounts store the family and middle names in last_name and the given name in first_name
("Nguyễn Thị" + "Lan"). Django's get_full_name() puts the first name first ("Lan Nguyễn
Thị") and the admin greets by get_short_name(): both read wrongly to a Vietnamese user.
"""

from __future__ import annotations


def display_name(user) -> str:
    """ "Nguyễn Thị Lan", or the username when no name is set."""
    if user is None:
        return ""
    full = " ".join(f"{user.last_name} {user.first_name}".split())
    return full or user.get_username()
