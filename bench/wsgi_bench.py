"""WSGI entry point of the benchmark server: the portal with bench.settings_bench
(gunicorn bench.wsgi_bench:application). The project's own wsgi.py is untouched."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
