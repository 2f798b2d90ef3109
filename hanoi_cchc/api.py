"""URL configuration of the REST API (/api/)."""

urlpatterns: list = []
