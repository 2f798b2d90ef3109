import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hanoi_cchc.settings")
application = get_wsgi_application()
