"""Settings for hanoi_cchc.

Every value comes from the environment with a safe default, so a fresh clone runs with no
services at all: a SQLite file under var/ and Celery tasks executed in-process. Set
DATABASE_URL (PostgreSQL) and REDIS_URL to use the real services. A bad value stops
start-up with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import json
import os
from datetime import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def env_time(name: str, default: str) -> time:
    raw = os.environ.get(name) or default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time such as 15:00, got {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(name: str, url: str) -> dict:
    """Turn postgres://user:pass@host:port/db (or sqlite:///path) into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = parsed.path.lstrip("/")
        if not db_name:
            raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://u@host/db")
        try:
            port = parsed.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port: {url!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(db_name),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(port or ""),
            # Persistent connections: a request should not pay for a new backend.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # JIT compilation costs more than it saves on our short OLTP queries (measured:
            # 1.7 s of a 2.8 s worklist query at 1 million dossiers before tuning).
            "OPTIONS": {"options": "-c jit=off"},
            "TEST": {"NAME": env_str("DATABASE_TEST_NAME", "") or None},
        }
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ImproperlyConfigured(f"{name} must look like sqlite:///path/to/file.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ImproperlyConfigured(
        f"{name} must start with postgres:// or sqlite:///, got {parsed.scheme or url!r}"
    )


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Debug mode shows settings and code to whoever triggers an error: it is for a developer's
# own machine. A deployment that forgot DJANGO_DEBUG=false stops here instead.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "[::1]"}
if DEBUG and not set(ALLOWED_HOSTS) <= LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is on while DJANGO_ALLOWED_HOSTS names other hosts: "
        "set DJANGO_DEBUG=false for a deployment"
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "hanoi_cchc.apps.AxesConfig",  # django-axes, with a translated name
    "procedures",
    "dossiers",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # sec (issue 12): the Content-Security-Policy of every HTML page.
    "hanoi_cchc.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hanoi_cchc.sessions.SessionTouchMiddleware",
    "hanoi_cchc.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which parses the body: views marked small_body refuse large ones unread.
    "hanoi_cchc.bodylimit.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # sec (issue 12): NUL bytes and oversize bodies refused before a view parses them
    # (after authentication only so that the 400 page knows who is logged in).
    "hanoi_cchc.middleware.HostileInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The domain errors of dossiers.errors on pages: 404 / 403 / message (helper "core").
    "dossiers.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hanoi_cchc.urls"
WSGI_APPLICATION = "hanoi_cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hanoi_cchc.context_processors.portal",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "hanoi_cchc.sqlite3",
            # Concurrent intake on SQLite waits for the write lock instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
# Scale-out (issue 9): a read replica for dashboards, the disclosure and the indicators
# API (hanoi_cchc/db_router.py). In tests it mirrors the default database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["hanoi_cchc.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes' per-username-and-address lock plus an account-level lock across
    # addresses (ACCOUNT_LOCKOUT_LIMIT below).
    "hanoi_cchc.authn.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Officials land on their worklist (every role has one, an inspector's spans the city).
LOGIN_REDIRECT_URL = "dossiers:worklist"
LOGOUT_REDIRECT_URL = "/"

# Lock a login after repeated failures (Axes); unlock after AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# sec (issue 12): an over-long username must not overflow Axes' column (a 500).
AXES_USERNAME_CALLABLE = "hanoi_cchc.bad_input.axes_username"
# --- sync (issue 5): the lockout answer in our error format for the API, Vietnamese text
# elsewhere (also used by the API token endpoint, which authenticates through Axes).
AXES_LOCKOUT_CALLABLE = "hanoi_cchc.api_errors.lockout_response"
# --- end sync

# Sessions of officials expire after inactivity, renewed by activity at most once per
# SESSION_TOUCH_SECONDS (hanoi_cchc.sessions), not written on every request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Vietnamese is the source language of every user-facing string: the UI is complete in
# Vietnamese even where a catalogue is not compiled; English comes from locale/en.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves collected files; in development (no collectstatic yet) it would warn
# on every request about the missing folder.
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fonts for PDF forms (DejaVu covers Vietnamese); installed by npm into node_modules.
PDF_FONT_DIRS = [
    Path(p)
    for p in env_list(
        "PDF_FONT_DIRS",
        f"{BASE_DIR / 'node_modules/dejavu-fonts-ttf/ttf'},/usr/share/fonts/truetype/dejavu",
    )
]

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, got {REDIS_URL!r}")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no REDIS_URL tasks run in-process (eager), so the portal needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down must not hang a request: fail fast, the outbox keeps the work.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1}
CELERY_BEAT_SCHEDULE: dict = {}
# --- sync (issue 5): publishing must fail fast when Redis is down; dispatch logs it and
# the outbox sweep below delivers what was not kicked. The worker itself keeps retrying.
# One immediate retry only: it replaces a pooled connection that went stale when Redis
# restarted, and still fails within a fraction of a second when Redis is really down.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE["dossiers.sweep_outbox"] = {
    "task": "dossiers.sweep_outbox",
    "schedule": env_int("DVCQG_SWEEP_SECONDS", 60),
}
# --- end sync
# --- indicators (issue 4): statistics recomputes (see indicators/tasks.py).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["indicators.sweep_changes"] = {
    # Dossier changes whose after-commit kick was lost (watermark of updated_at).
    "task": "indicators.sweep_changes",
    "schedule": env_int("INDICATORS_SWEEP_SECONDS", 300),
}
CELERY_BEAT_SCHEDULE["indicators.recompute_recent_months"] = {
    # Overdue counts of the current and previous month move with the clock.
    "task": "indicators.recompute_recent_months",
    "schedule": env_int("INDICATORS_RECENT_SECONDS", 1800),
}
CELERY_BEAT_SCHEDULE["indicators.recompute_year"] = {
    # Nightly full recompute of the current year repairs anything that slipped through.
    "task": "indicators.recompute_year",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["indicators.close_due_months"] = {
    # Close (publish and freeze) last month once its grace period of working days is over.
    "task": "indicators.close_due_months",
    "schedule": crontab(hour=2, minute=0),
}
# Working days after a month's end before it closes automatically (its figures published).
STATS_CLOSE_AFTER_WORKING_DAYS = env_int("STATS_CLOSE_AFTER_WORKING_DAYS", 5)
# --- end indicators

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Tokens expire after API_TOKEN_TTL_HOURS and are revoked on a password change.
        "hanoi_cchc.authn.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # --- sync (issue 5): one error format; JSON only (the browsable API is not needed).
    "EXCEPTION_HANDLER": "hanoi_cchc.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "hanoi_cchc.parsers.SafeJSONParser",  # sec (issue 12): depth limit, no NUL
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"api_token": env_str("API_TOKEN_RATE", "20/min")},
    # --- end sync
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hanoi_cchc API",
    "DESCRIPTION": "Thủ tục hành chính và hồ sơ của Hà Nội",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # --- sync (issue 5)
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI would otherwise ask validator.swagger.io about our schema: no external calls.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "dossiers.workflow.Status",
        "ChannelEnum": "procedures.models.Channel",
        "TimeUnitEnum": "procedures.models.TimeUnit",
        "SyncStateEnum": "dossiers.models.Dossier.SyncState",
        "ApplicantKindEnum": "dossiers.models.Dossier.ApplicantKind",
        "ProcedureStatusEnum": "procedures.models.Procedure.Status",
    },
    # --- end sync
}

# Domain settings (DOMAIN.md). Where law and practice differ, the rule is a setting.
# Suffix of Hanoi's agency identifier codes (mã định danh), e.g. 000.00.16.H26.
AGENCY_CODE_SUFFIX = env_str("AGENCY_CODE_SUFFIX", "H26")
# Paper dossiers received after this time count from the next working day (Decree 61 art. 18).
RECEIPT_CUTOFF = env_time("RECEIPT_CUTOFF", "15:00")
# The channels the cut-off applies to: art. 18 is about paper dossiers (desk and post).
RECEIPT_CUTOFF_CHANNELS = env_list("RECEIPT_CUTOFF_CHANNELS", "desk,post")
# Decree 61/2018 art. 19(5) sets no bound on the apology's new appointment: at most this many
# times the dossier's own limit again, counted from the current due time (0: no bound).
APOLOGY_MAX_FACTOR = env_int("APOLOGY_MAX_FACTOR", 1)
# A day off added to the calendar after receipt: re-date the open dossiers it concerns (with
# a history row), or leave them and tell the administrator how many (dossiers.redating).
CALENDAR_CHANGE_REDATES = env_bool("CALENDAR_CHANGE_REDATES", True)
# Decree 61/2018 art. 19(4): the period restarts when the supplemented dossier arrives.
SUPPLEMENT_CLOCK_RULE = env_str("SUPPLEMENT_CLOCK_RULE", "restart")
if SUPPLEMENT_CLOCK_RULE not in {"restart", "pause"}:
    raise ImproperlyConfigured("SUPPLEMENT_CLOCK_RULE must be restart or pause")
CALENDAR_YEARS = (env_int("CALENDAR_FIRST_YEAR", 2020), env_int("CALENDAR_LAST_YEAR", 2030))

# DVCQG (National Public Service Portal) synchronisation endpoint; empty = not configured.
# Behind a reverse proxy, rate limits key on X-Forwarded-For instead of the proxy's address.
RATELIMIT_TRUST_FORWARDED = env_bool("RATELIMIT_TRUST_FORWARDED", False)

DVCQG_ENDPOINT = env_str("DVCQG_ENDPOINT", "")
DVCQG_TOKEN = env_str("DVCQG_TOKEN", "")
DVCQG_TIMEOUT = env_int("DVCQG_TIMEOUT_SECONDS", 10)
# --- sync (issue 5): retries back off exponentially from BASE up to MAX seconds.
DVCQG_RETRY_BASE_SECONDS = env_int("DVCQG_RETRY_BASE_SECONDS", 30)
DVCQG_RETRY_MAX_SECONDS = env_int("DVCQG_RETRY_MAX_SECONDS", 3600)
# Optional: where DVCQG lists the messages it acknowledged (used by reconcile_dvcqg).
DVCQG_ACK_ENDPOINT = env_str("DVCQG_ACK_ENDPOINT", "")
# Idempotency-Key records are kept this long, then purged by the outbox sweep.
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 48)
# --- end sync

# --- notify (issue 13): messages to applicants and morning reminders to officials.
# E-mail through Django's backends: the console by default; SMTP as soon as EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Một cửa Hà Nội <no-reply@hanoi.gov.vn>")
# SMS through an HTTP gateway: JSON POST {id, to, from, text}; empty URL = no SMS at all.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT_SECONDS", 10)
SMS_SENDER = env_str("SMS_SENDER", "HANOI-CCHC")
# Brand-name SMS in Vietnam are usually sent without diacritics (one segment holds 160
# plain characters but only 70 Unicode ones).
SMS_STRIP_DIACRITICS = env_bool("SMS_STRIP_DIACRITICS", False)
SMS_MAX_CHARS = env_int("SMS_MAX_CHARS", 480)
NOTIFY_ENABLED = env_bool("NOTIFY_ENABLED", True)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 20)
# The supplement message names a date: this many working days after the request; 0 = none.
NOTIFY_SUPPLEMENT_REPLY_DAYS = env_int("NOTIFY_SUPPLEMENT_REPLY_DAYS", 10)
# Officials' digest of due-soon and overdue dossiers, each working morning at this time.
REMINDER_TIME = env_time("REMINDER_TIME", "07:30")
CELERY_BEAT_SCHEDULE["dossiers.notify_sweep"] = {
    "task": "dossiers.notify_sweep",
    "schedule": env_int("NOTIFY_SWEEP_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE["dossiers.send_reminders"] = {
    # Runs every day; the task itself skips days off (the edited working calendar).
    "task": "dossiers.send_reminders",
    "schedule": crontab(hour=REMINDER_TIME.hour, minute=REMINDER_TIME.minute),
}
# --- end notify
# --- ops (issue 12): authentication, self-healing workers, health.
INSTALLED_APPS.append("hanoi_cchc.apps.PortalConfig")  # /healthz heartbeats, token signals
# Throttles and lockouts key on the real client address: the one rule of
# dossiers.ratelimit.client_ip (X-Forwarded-For only when RATELIMIT_TRUST_FORWARDED is set).
AXES_CLIENT_IP_CALLABLE = "dossiers.ratelimit.client_ip"  # always a valid address
# Besides the per-username-and-address lock above, an account-level lock: this many
# failures on one username from any addresses within AXES_COOLOFF_MINUTES lock it too.
# Higher than the per-address limit, so one stranger cannot lock an official out alone.
ACCOUNT_LOCKOUT_LIMIT = env_int("ACCOUNT_LOCKOUT_LIMIT", 20)
# API tokens expire (a system asks for a new one with its credentials) and are revoked
# when the password changes or the account is deactivated (hanoi_cchc/authn.py).
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24)
# A worker never gives up on the broker (the default stops after 100 attempts): it keeps
# reconnecting, and `make worker` / the service manager restart it if it exits anyway.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY = True
# A task running when the connection drops finishes; if its ack cannot reach Redis then,
# Redis redelivers the message after the visibility timeout (every task is idempotent).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "health_check_interval": 10,
    "retry_on_timeout": True,
    # Longer than any countdown a task uses (DVCQG back-off is capped below it).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3900),
}
# Periodic sweeps expire instead of piling up while no worker consumes: a sweep not
# started before its next one is due is dropped (the next one does the same work).
for _entry in CELERY_BEAT_SCHEDULE.values():
    _every = _entry["schedule"] if isinstance(_entry["schedule"], int | float) else 3600
    _entry.setdefault("options", {})["expires"] = max(10, int(_every))
# /healthz: 503 when the oldest undelivered outbox row is older than this, or no outbox
# sweep ran for this long; the admin shows an alert past OUTBOX_LAG_ALERT_SECONDS.
OUTBOX_LAG_ALERT_SECONDS = env_int("OUTBOX_LAG_ALERT_SECONDS", 900)
HEALTH_SWEEP_MAX_AGE_SECONDS = env_int("HEALTH_SWEEP_MAX_AGE_SECONDS", 600)
# Monitors probe over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# --- end ops
# --- online (issue 13): online submission, dossier files, online fee payment (PayGov).
# Dossier files are private: a storage with no public URL, served only through
# dossiers.views_files after the access check. Any Django storage class works, e.g.
# storages.backends.s3.S3Storage (django-storages) with its options as a JSON object.
DOSSIER_FILES_BACKEND = env_str(
    "DOSSIER_FILES_BACKEND", "django.core.files.storage.FileSystemStorage"
)
try:
    DOSSIER_FILES_OPTIONS = json.loads(env_str("DOSSIER_FILES_OPTIONS", "") or "null") or {
        "location": str(VAR_DIR / "dossier-files"),
        "base_url": None,
    }
except ValueError:
    raise ImproperlyConfigured("DOSSIER_FILES_OPTIONS must be a JSON object") from None
if not isinstance(DOSSIER_FILES_OPTIONS, dict):
    raise ImproperlyConfigured("DOSSIER_FILES_OPTIONS must be a JSON object")
STORAGES["dossier_files"] = {"BACKEND": DOSSIER_FILES_BACKEND, "OPTIONS": DOSSIER_FILES_OPTIONS}
# Largest accepted upload, per file (PDF, JPEG or PNG, checked from the content).
DOSSIER_FILE_MAX_BYTES = env_int("DOSSIER_FILE_MAX_MB", 10) * 1024 * 1024
# How long a verified code + secret keeps the applicant's dossier page open (signed cookie).
APPLICANT_ACCESS_SECONDS = env_int("APPLICANT_ACCESS_SECONDS", 30 * 60)
# The payment gateway (PayGov manner): where the applicant is sent, our merchant code and
# the shared secret of the HMAC-SHA256 signatures. An empty URL disables online payment.
PAYGOV_URL = env_str("PAYGOV_URL", "")
PAYGOV_MERCHANT = env_str("PAYGOV_MERCHANT", "HANOI-CCHC")
PAYGOV_SECRET = env_str("PAYGOV_SECRET", "")
if PAYGOV_URL and not PAYGOV_SECRET:
    raise ImproperlyConfigured("PAYGOV_SECRET must be set when PAYGOV_URL is set")
# --- end online

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Off only for the local demo served over plain HTTP on 127.0.0.1 (make run).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- sec (issue 12): bad input is a 4xx.
# Bodies larger than this are refused from Content-Length, before parsing (413); the pages
# that take a file (the admin imports) allow MAX_UPLOAD_BODY_BYTES.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
MAX_UPLOAD_BODY_BYTES = env_int("MAX_UPLOAD_BODY_BYTES", 20 * 1024 * 1024)
UPLOAD_PATHS = ["/admin/procedures/procedure/import/", "/admin/indicators/annualindex/nhap/"]
# No JSON body of the API is deeper than a few levels (a dossier's documents list is 3).
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 20)
# Content-Security-Policy of every HTML page: our own static files only, no inline script
# or style ('unsafe-inline'), no frames. Charts are inline SVG and the favicon is SVG;
# data: images are the admin's icons. Empty turns it off.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
# --- end sec

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
