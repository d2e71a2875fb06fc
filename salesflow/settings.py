"""Salesflow settings: everything that varies comes from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-salesflow-secret-key-change-me"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# SALESFLOW_ENV=production turns on every production guard; anything else is development.
ENVIRONMENT = os.environ.get("SALESFLOW_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Production settings refuse to start with DEBUG on (unset DEBUG).")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Production settings refuse to start with the default or a short SECRET_KEY.")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
# Behind a reverse proxy that sets X-Forwarded-For, audit events record the client's address (TRUST_PROXY=1).
TRUST_PROXY = env_bool("TRUST_PROXY", False)
# Refusals (404 on another's record, 403, illegal transitions, self-approval) per user, kind and minute that reach
# the audit trail as security events; more are dropped (salesflow/audit/security.py).
AUDIT_REFUSALS_PER_MINUTE = int(os.environ.get("AUDIT_REFUSALS_PER_MINUTE", 10))
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ninja",
    "salesflow.core",
    "salesflow.audit",
    "salesflow.workcal",
    "salesflow.numbering",
    "salesflow.org",
    "salesflow.notifications",
    "salesflow.imports",
    "salesflow.crm",
    "salesflow.approvals",
    "salesflow.exports",
    "salesflow.deals",
    "salesflow.pool",
    "salesflow.leads",
    "salesflow.reception",
    "salesflow.visits",
    "salesflow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication (it asks whether someone is signed in); WhiteNoise has answered static files already.
    "salesflow.core.middleware.NoStoreMiddleware",
    "salesflow.core.middleware.NulFreeQueryMiddleware",
    "salesflow.audit.middleware.RequestContextMiddleware",
    "salesflow.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # axes last: it needs the request fully built to record lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesflow.urls"
WSGI_APPLICATION = "salesflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "salesflow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "salesflow.site.context_processors.navigation",
                "salesflow.workcal.context_processors.calendar_warning",
                "salesflow.approvals.context_processors.approval_counts",
                "salesflow.notifications.context_processors.notification_counts",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend whose flush may empty the append-only audit table (salesflow/core/sqlite, ADR 0008).
    DATABASES["default"]["ENGINE"] = "salesflow.core.sqlite"
    # SQLite: WAL and a busy timeout so the web process and the task worker can share the file.
    DATABASES["default"]["OPTIONS"] = {
        # optimize=0x10002 refreshes the planner statistics when they are stale (cheap when they are not);
        # without them SQLite picks slow plans for scoped lists at 100k customers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA analysis_limit=400;"
                        " PRAGMA optimize=0x10002;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire 8 hours after sign-in (one working day), and when the browser closes. Not re-saved on
# every request: that turned each read into a write (and, on SQLite, a wait for the write lock).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Failed logins: django-axes locks a username+IP pair after 5 failures for 15 minutes and logs each attempt.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as the audit trail: behind a trusted proxy, the client's, not the proxy's (issue #15).
AXES_CLIENT_IP_CALLABLE = "salesflow.audit.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salesflow.org.auth.lockout_response"
AXES_VERBOSE = False
# Keep one row per failed attempt (who, from where, when), not only the per-user counter.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy: everything is served from our own origin; no inline scripts.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "salesflow" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Development serves static files straight from the app folders; production from collectstatic's STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if os.environ.get("REDIS_URL"):
    # Many workers: RQ on Redis (pip install django-tasks-rq), selected with TASKS_BACKEND.
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"]}}

# Imports (issue #15): an upload is stored by the web request and read by the task worker, within these caps.
# A workbook is a zip: its parts are checked before anything is inflated (a 4.7 MB file once expanded to 1.1 GB).
_MB = 1024 * 1024
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_MB", 50)) * _MB  # the upload as sent
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 200_000))  # data rows, counted while reading
IMPORT_MAX_PART_BYTES = int(os.environ.get("IMPORT_MAX_PART_MB", 200)) * _MB  # one workbook part, inflated
IMPORT_MAX_EXPANDED_BYTES = int(os.environ.get("IMPORT_MAX_EXPANDED_MB", 300)) * _MB  # all parts, inflated
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", 200))  # parts over 1 MB
IMPORT_MAX_TEXT_CHARS = int(os.environ.get("IMPORT_MAX_TEXT_MB", 200)) * _MB  # text of all cells read
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 256))  # columns read of each row

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "salesflow@localhost")

# Where people open the site: links in messages that leave it (group robots) must be absolute, and a
# background task has no request to build them from.
SALESFLOW_BASE_URL = os.environ.get("SALESFLOW_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "salesflow": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

# When the morning reminders of planned visits and due follow-ups go out (local time, HH:MM).
VISIT_REMINDER_TIME = os.environ.get("VISIT_REMINDER_TIME", "07:30")

# Issue #15: a visit is logged within this many days of happening (no back-dating beyond it).
VISIT_BACKDATE_DAYS = int(os.environ.get("VISIT_BACKDATE_DAYS", 7))

# Issue #15: API tokens expire this many days after they are issued, and after this many days unused.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", 90))
API_TOKEN_IDLE_DAYS = int(os.environ.get("API_TOKEN_IDLE_DAYS", 30))
# Live tokens a person may hold at once (the password exchange replaces a live token of the same name).
API_TOKEN_MAX_PER_USER = int(os.environ.get("API_TOKEN_MAX_PER_USER", 10))

# Issue #15: who may stand in for an approver is bounded (approvals/delegation.py); this widens it per role of the
# person away, e.g. {"accountant": ["finance_vp"]}. Python data, not the environment: it is policy, set in review.
APPROVAL_DELEGATE_EXTRA_ROLES: dict[str, list[str]] = {}

# Issue #15: exports. Above this many rows an export needs an approval (exports/limits.py); leadership is exempt.
# EXPORT_ROW_LIMITS sets a role's own limit (None: no limit), e.g. {"manager": 2000}; Python data, it is policy.
EXPORT_ROW_LIMIT_DEFAULT = int(os.environ.get("EXPORT_ROW_LIMIT_DEFAULT", 500))
EXPORT_ROW_LIMITS: dict[str, int | None] = {}
# An approved export is downloaded once, within this many days of the approval.
EXPORT_DOWNLOAD_DAYS = int(os.environ.get("EXPORT_DOWNLOAD_DAYS", 7))

# Demo data is for development only: `salesflow demo` refuses when this is False.
ALLOW_DEMO_DATA = not PRODUCTION

SALESFLOW_APP_NAME = _("Salesflow")
