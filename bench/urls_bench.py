"""The project's URLs plus one trivial view: the same middleware, no database, no template."""

from django.http import HttpResponse
from django.urls import path

from hanoi_cchc.urls import urlpatterns as project_urlpatterns


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *project_urlpatterns]
