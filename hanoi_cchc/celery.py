"""The Celery app. Tasks live in each app's tasks.py and are discovered automatically."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hanoi_cchc.settings")

app = Celery("hanoi_cchc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside an app that hold their own tasks.py.
app.autodiscover_tasks(["dossiers.notifications"])
