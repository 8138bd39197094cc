"""Settings for the S/MIME portal: one file, every knob from the environment (see README).

Two modes:
- embedded (no ``DATABASE_URL``): SQLite in WAL mode, a Celery broker on the file system and
  secrets generated once into ``var/`` -- one machine, nothing to install;
- production-like (``DATABASE_URL`` set): PostgreSQL, Redis, and secrets that must come from the
  environment (a system check refuses to start without them).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF

from certificates.pki import keywrap
from portal import envconf

# Django's generic classes take type arguments at run time too (admin.ModelAdmin[Domain]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envconf.string("PORTAL_VAR_DIR") or BASE_DIR / "var")

DEBUG = envconf.boolean("DEBUG", False)
DATABASE_URL = envconf.string("DATABASE_URL")
EMBEDDED = DATABASE_URL is None
REDIS_URL = envconf.string("REDIS_URL")

PORTAL_BASE_URL = (envconf.string("PORTAL_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(PORTAL_BASE_URL)
HTTPS = _base.scheme == "https"

if EMBEDDED:
    SECRET_KEY = envconf.string("SECRET_KEY") or envconf.generated_secret(VAR_DIR / "secret_key")
    KEY_ENCRYPTION_KEY = envconf.string("KEY_ENCRYPTION_KEY") or envconf.generated_secret(
        VAR_DIR / "key_encryption_key", keywrap.generate_key_b64
    )
else:
    # Several processes (web, worker, beat, replicas) must share these: never mint them here.
    SECRET_KEY = envconf.required(
        "SECRET_KEY", "With DATABASE_URL set, secrets come from the environment."
    )
    KEY_ENCRYPTION_KEY = envconf.required(
        "KEY_ENCRYPTION_KEY",
        "With DATABASE_URL set, secrets come from the environment; make one with "
        "'head -c 32 /dev/urandom | base64'. Without it stored private keys cannot be read.",
    )

ALLOWED_HOSTS = envconf.listing(
    "ALLOWED_HOSTS", [_base.hostname or "localhost", "localhost", "127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = envconf.listing("CSRF_TRUSTED_ORIGINS", [PORTAL_BASE_URL])
TRUSTED_PROXIES = envconf.integer("TRUSTED_PROXIES", 0)
EXPIRING_DAYS = envconf.integer("EXPIRING_DAYS", 30, minimum=1)
# Owners are mailed when this many days are left (the nearest threshold passed, once each).
EXPIRY_NOTICE_DAYS = envconf.days("EXPIRY_NOTICE_DAYS", (30, 14, 7, 1))
FETCH_ALLOW_PRIVATE_NETWORKS = envconf.boolean("FETCH_ALLOW_PRIVATE_NETWORKS", False)
DNS_RESOLVERS = envconf.listing("DNS_RESOLVERS")
# Sender-side lookups (the public page and the API) per client address and minute.
LOOKUPS_PER_MINUTE = envconf.integer("LOOKUPS_PER_MINUTE", 10, minimum=1)
PUBLISH_ROOT = envconf.string("PUBLISH_ROOT")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # serves the API docs from local static files instead of a CDN
    "django_celery_beat",  # the beat schedule, in the database and the Django admin
    "portal",
    "certificates",
    "discovery",
]

MIDDLEWARE = [
    # Public /.well-known/smime/ files, answered before any per-request work (discovery.serving)
    "discovery.serving.WellKnownMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Oversized bodies are refused here: before any view or CSRF check reads them, after the
    # session is known, so the refusal page has the person's menu.
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context.portal",
            ],
        },
    },
]

if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            # WAL lets web, worker and beat read while one writes; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue on the timeout instead of failing mid-transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so tests can inspect what actually reaches the disk.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
else:
    assert DATABASE_URL is not None  # (not EMBEDDED)
    DATABASES = {"default": dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# How long a password re-entry unlocks private-key export in the browser.
REAUTH_SECONDS = 300

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Bodies above this are refused with 413 before any view reads them (certificates and CSRs are
# a few kilobytes; a PEM chain rarely passes 20 KB).
MAX_REQUEST_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

# Security headers. With an https PORTAL_BASE_URL, `manage.py check --deploy` is clean.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script here reads the cookie
SECURE_SSL_REDIRECT = HTTPS and not DEBUG
SECURE_HSTS_SECONDS = 31536000 if HTTPS and not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# A form sent with a stale token (logged out and in again in another tab): the portal's page.
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Mail: EMAIL_URL wins over the EMAIL_HOST family.
_email_url = envconf.string("EMAIL_URL")
if _email_url:
    globals().update(envconf.email_settings(_email_url))
elif envconf.string("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = envconf.string("EMAIL_HOST")
    EMAIL_PORT = envconf.integer("EMAIL_PORT", 25)
    EMAIL_HOST_USER = envconf.string("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envconf.string("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envconf.boolean("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = envconf.boolean("EMAIL_USE_SSL", False)
else:
    # No mail server named: every mail is written to a file in var/mail/ (bin/serve says so).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = envconf.string(
    "DEFAULT_FROM_EMAIL", f"S/MIME portal <noreply@{_base.hostname}>"
)
# The portal's own S/MIME identity, which signs the "Test my setup" message: a private key and
# its certificate (PEM; each also as NAME_FILE). Without them the embedded mode makes a
# self-signed one into var/ on first use; with DATABASE_URL the test message is not offered.
PORTAL_SMIME_KEY = envconf.string("PORTAL_SMIME_KEY")
PORTAL_SMIME_CERT = envconf.string("PORTAL_SMIME_CERT")
envconf.together("PORTAL_SMIME_KEY", "PORTAL_SMIME_CERT")
PORTAL_SMIME_GENERATED = (
    VAR_DIR / "smime_identity.pem" if EMBEDDED and PORTAL_SMIME_KEY is None else None
)

# Celery: Redis when named, else kombu's file-system transport (no server). The database, not the
# broker, is the source of truth for due work, so a message lost there costs one beat interval.
CELERY_BROKER_URL = envconf.string("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "portal.fsbroker:Transport"  # messages appear whole
    _broker_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):  # kombu expects them to exist
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else kombu writes ./control
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat reads its schedule from the database (admins change it in /admin/); the entries below are
# the defaults it adds there when missing (portal/beat.py).
CELERY_BEAT_SCHEDULER = "portal.beat:Scheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Owed mail whose task was lost (broker restart, killed worker) goes out on the next sweep.
    "send-due-notifications": {
        "task": "certificates.tasks.send_due_notifications",
        "schedule": 300.0,
    },
    # Revocation checks due by revocation_due_at (OCSP, then CRLs), batched per issuer and CRL URL.
    "sweep-revocation": {
        "task": "certificates.tasks.sweep_revocation",
        "schedule": 600.0,
    },
    # Published DNS records are re-checked daily; each publication stores when it is due.
    "verify-published-dns": {
        "task": "discovery.tasks.verify_due_publications",
        "schedule": 3600.0,
    },
    # Expiry: statuses moved on by date, owners' threshold notices, admins' weekly digest.
    "sweep-expiry": {
        "task": "certificates.tasks.sweep_expiry",
        "schedule": crontab(minute="0", hour="6"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Logins and sessions. Wrong passwords are counted in the database on every door
# that checks one (login pages, admin login, re-authentication, password change): see
# certificates/services/logins.py. Sessions end after SESSION_IDLE_MINUTES without a request
# and SESSION_MAX_HOURS after the login, whichever comes first: they unlock private keys.
AUTHENTICATION_BACKENDS = ["certificates.views.logins.LimitedModelBackend"]
MIDDLEWARE += [
    "certificates.views.logins.LoginLockoutMiddleware",
    "portal.sessionlimits.SessionLifetimeMiddleware",
]
LOGIN_FAILURE_LIMIT = envconf.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = envconf.integer("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = envconf.integer("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 20, minimum=1)
LOGIN_LOCKOUT_MINUTES = envconf.integer("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_ENABLED = envconf.boolean("PASSWORD_RESET_ENABLED", False)
SESSION_IDLE_MINUTES = envconf.integer("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = envconf.integer("SESSION_MAX_HOURS", 10, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # each request moves the idle deadline
