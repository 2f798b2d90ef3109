"""Logging the shared cast in without the login form."""


def login(client, user):
    """force_login through ModelBackend: Axes' backend, listed first, cannot load users."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
