"""One settings module, read from environment variables through strict helpers.

With no variables set it runs the embedded default: SQLite under ./var, debug off, MFA on.
See docs/configuration.md for every variable.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from openiop.lib.env import (
    SettingError,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_seconds_map,
    env_str,
    secret_free_command,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(env_str("OPENIOP_HOME", str(Path.cwd())))

DEBUG = env_bool("OPENIOP_DEBUG", False)
DEMO_MODE = env_bool("OPENIOP_DEMO", False)
# pytest (>= 8.2) sets PYTEST_VERSION for the run: tests need no variables either.
TESTING = env_bool("OPENIOP_TESTING", False) or "PYTEST_VERSION" in os.environ

_DEV_KEY = "insecure-openiop-development-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("OPENIOP_SECRET_KEY", "")
if not SECRET_KEY:
    if secret_free_command():
        # A command declared secret-free (lib/env.py) signs nothing; a throwaway random key
        # rather than the known development one, so nothing could be forged with it anyway.
        SECRET_KEY = secrets.token_urlsafe(50)
    elif not (DEBUG or DEMO_MODE or TESTING):
        raise SettingError(
            "OPENIOP_SECRET_KEY must be set outside demo, debug and test runs "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    else:
        SECRET_KEY = _DEV_KEY

ALLOWED_HOSTS = env_list("OPENIOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("OPENIOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "pgtrigger",
    "openiop.accounts",
    "openiop.programs",
    "openiop.participants",
    "openiop.intake",
    "openiop.audit",
    "openiop.measures",
    "openiop.scheduling",
    "openiop.diary",
    "openiop.homework",
    "openiop.safety",
    "openiop.care",
    "openiop.notes",
    "openiop.substance_use",
    "openiop.discharge",
    "openiop.billing",
    "openiop.portal",
    "openiop.demo",
    "openiop.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openiop.lib.middleware.RejectNulQueryMiddleware",
    "openiop.participants.timezones.ProgramTimezoneMiddleware",
    "openiop.portal.middleware.PortalLanguageMiddleware",
    "openiop.accounts.middleware.IdleTimeoutMiddleware",
    "openiop.accounts.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openiop.urls"
WSGI_APPLICATION = "openiop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openiop.accounts.context_processors.navigation",
                "openiop.ops.context_processors.task_health",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/openiop.sqlite3"), base_dir=str(PROJECT_DIR)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Named here so that lib.models (below every room) can point at it without importing up.
ORGANIZATION_MODEL = "programs.Organization"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users. Production keeps Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: the browser session ends on close; inactivity limits are enforced per role by
# IdleTimeoutMiddleware (staff 15 minutes by default).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: htmx sends the token from the page (hx-headers on
# <body>) and forms from their hidden field. HttpOnly keeps it from any injected script too.
CSRF_COOKIE_HTTPONLY = True
OPENIOP_STAFF_IDLE_MINUTES = env_int("OPENIOP_STAFF_IDLE_MINUTES", 15, minimum=1)
OPENIOP_PORTAL_IDLE_MINUTES = env_int("OPENIOP_PORTAL_IDLE_MINUTES", 30, minimum=1)
OPENIOP_REQUIRE_MFA = env_bool("OPENIOP_REQUIRE_MFA", True)
OTP_TOTP_ISSUER = env_str("OPENIOP_MFA_ISSUER", "OpenIOP")

# Login throttling and lockout (django-axes): 5 failures lock the account/address pair for
# 15 minutes.
AXES_FAILURE_LIMIT = env_int("OPENIOP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OPENIOP_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SECURE_SSL = env_bool("OPENIOP_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
if env_bool("OPENIOP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# The demo keeps its e-mails (alert notices, invitations) as files in var/mail/, which
# `openiop demo` names, rather than printing them into its log.
EMAIL_BACKEND = env_str(
    "OPENIOP_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEMO_MODE
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("OPENIOP_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENIOP_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("OPENIOP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("OPENIOP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OPENIOP_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("OPENIOP_FROM_EMAIL", "OpenIOP <no-reply@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# The portal's languages (participants choose theirs: portal/middleware.py); staff pages are
# English for now.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
# The stylesheet and htmx live in the openiop package, which is not an app: without this
# neither the finders (tests, demo) nor collectstatic (production) would find them.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING or DEMO_MODE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING or DEMO_MODE
if WHITENOISE_USE_FINDERS:
    # Served from the apps' folders here; there is no collected STATIC_ROOT to warn about.
    import warnings

    # Raised by whitenoise but attributed to its caller (Django's handler), so match the
    # message only.
    warnings.filterwarnings("ignore", message="No directory at")

# Application logs carry ids and event names only, never names, dates of birth or notes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_phi": {"()": "openiop.lib.logging.NoPHIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_phi"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("OPENIOP_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints full URLs with query strings: searches can hold names.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

OPENIOP_PAGE_SIZE = env_int("OPENIOP_PAGE_SIZE", 25, minimum=5)
# Portal invitations (participants and family members): how long an e-mailed link works.
OPENIOP_INVITATION_HOURS = env_int("OPENIOP_INVITATION_HOURS", 72, minimum=1)
if OPENIOP_INVITATION_HOURS > 14 * 24:
    raise SettingError(
        f"OPENIOP_INVITATION_HOURS must be at most {14 * 24} (two weeks), "
        f"not {OPENIOP_INVITATION_HOURS}"
    )
OPENIOP_LOCAL_EMERGENCY_NUMBER = env_str("OPENIOP_LOCAL_EMERGENCY_NUMBER", "911")

# --- Background work (Django's Tasks interface; docs/configuration.md "Background work") ---
# "database": django-tasks-db, the queue in DATABASES["default"] (SQLite or PostgreSQL, no
# broker). "rq": RQ on Redis (django-tasks-rq), for workers on several machines. Task code is the
# same for both; only this switch changes.
OPENIOP_TASKS_BACKEND = env_choice("OPENIOP_TASKS_BACKEND", "database", ("database", "rq"))
OPENIOP_REDIS_URL = env_str("OPENIOP_REDIS_URL", "redis://127.0.0.1:6379/0")
# A task is attempted at most this many times (the first run included): when its worker is
# killed or loses the database mid-run, or when it fails. Then it stays failed.
OPENIOP_TASK_MAX_ATTEMPTS = env_int("OPENIOP_TASK_MAX_ATTEMPTS", 3, minimum=1)
# Workers say they are alive every HEARTBEAT seconds; a task whose worker has not been heard of
# for LEASE seconds is taken to be lost and is retried.
OPENIOP_TASK_HEARTBEAT_SECONDS = env_int("OPENIOP_TASK_HEARTBEAT_SECONDS", 10, minimum=1)
OPENIOP_TASK_LEASE_SECONDS = env_int("OPENIOP_TASK_LEASE_SECONDS", 30, minimum=2)
if OPENIOP_TASK_LEASE_SECONDS < 2 * OPENIOP_TASK_HEARTBEAT_SECONDS:
    raise SettingError(
        "OPENIOP_TASK_LEASE_SECONDS must be at least twice OPENIOP_TASK_HEARTBEAT_SECONDS"
    )
# Wait before a failed task's next attempt (multiplied by the attempt number).
OPENIOP_TASK_RETRY_DELAY_SECONDS = env_int("OPENIOP_TASK_RETRY_DELAY_SECONDS", 10, minimum=0)
# How often the scheduler looks for due periodic jobs and lost tasks.
OPENIOP_SCHEDULER_TICK_SECONDS = env_int("OPENIOP_SCHEDULER_TICK_SECONDS", 5, minimum=1)
# Longest wait between two reconnection attempts while the database is down.
OPENIOP_DB_RETRY_MAX_SECONDS = env_int("OPENIOP_DB_RETRY_MAX_SECONDS", 30, minimum=1)
# Periodic intervals other than the built-in ones, for drills and tests only
# (`safety.escalate=5,scheduling.reminders=5`).
OPENIOP_PERIODIC_EVERY = env_seconds_map("OPENIOP_PERIODIC_EVERY")
# Finished task results, periodic claims and heartbeats are pruned after this many days.
OPENIOP_TASK_RESULT_DAYS = env_int("OPENIOP_TASK_RESULT_DAYS", 14, minimum=1)

if OPENIOP_TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {
    "default": {
        "URL": OPENIOP_REDIS_URL,
        # Adds RQ's own retry (capped at OPENIOP_TASK_MAX_ATTEMPTS) to every task.
        "QUEUE_CLASS": "openiop.ops.rq.RetryingQueue",
        "DEFAULT_TIMEOUT": 60 * 60,
        # Results stay readable (status pages) for a day.
        "DEFAULT_RESULT_TTL": 24 * 60 * 60,
    }
}

# When the database is down, the error page cannot read the program's phone number from it:
# this is the number it shows (the organization's main line). Participants' own pages also
# leave their program's number in their browser for that page (see docs/operations.md).
OPENIOP_HELP_PHONE = env_str("OPENIOP_HELP_PHONE", "")
# Files the application writes for itself (the error page's phone list); must be writable.
OPENIOP_STATE_DIR = Path(env_str("OPENIOP_STATE_DIR", str(PROJECT_DIR / "var")))
EMAIL_FILE_PATH = env_str("OPENIOP_EMAIL_FILE_PATH", str(OPENIOP_STATE_DIR / "mail"))

# How often an open staff page asks for the alert counts in its header (seconds).
OPENIOP_ALERT_POLL_SECONDS = env_int("OPENIOP_ALERT_POLL_SECONDS", 10, minimum=2)
