"""Settings for hanoi_cchc.

Every value comes from the environment with a safe default, so a fresh clone runs with no
services at all: a SQLite file under var/ and Celery tasks executed in-process. Set
DATABASE_URL (PostgreSQL) and REDIS_URL to use the real services. A bad value stops
start-up with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

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
    "axes",
    "procedures",
    "dossiers",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hanoi_cchc.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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
# --- sync (issue 5): the lockout answer in our error format for the API, Vietnamese text
# elsewhere (also used by the API token endpoint, which authenticates through Axes).
AXES_LOCKOUT_CALLABLE = "hanoi_cchc.api_errors.lockout_response"
# --- end sync

# Sessions of officials expire after inactivity.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
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
# --- end indicators

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # --- sync (issue 5): one error format; JSON only (the browsable API is not needed).
    "EXCEPTION_HANDLER": "hanoi_cchc.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
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

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Off only for the local demo served over plain HTTP on 127.0.0.1 (make run).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
