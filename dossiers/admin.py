"""Admin for the dossiers app; the registrations live in the two modules below."""

from . import admin_calendar, admin_dossiers, admin_notify, admin_online  # noqa: F401
