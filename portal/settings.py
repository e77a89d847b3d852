"""Settings for Camps de jour, configured by environment variables only.

With no variable set the portal runs on the embedded default: SQLite, Celery
eager, simulated payments and emails written to ``var/emails``. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, STRIPE_* and EMAIL_* instead.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

# Fernet keys for sensitive numbers stored encrypted (health-insurance numbers), comma-separated:
# the first encrypts, all decrypt (key rotation). Generate one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set. Set it to a Fernet key (health-insurance numbers "
            "are encrypted with it), or DEBUG=1 for local development."
        )
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtISE="]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "csp",
    "portal",
    "accounts",
    "activities",
    "registrations",
    "waitlist",
    "health",
    "camp",
    # Money and tax records (RL-24 slips, the payments journal): reads registrations.
    "finances",
    # Staff-facing privacy orchestration (export, closure, retention, incidents): reads every
    # app and calls down into their services, so it comes last.
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.BareViewsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.DomainErrorMiddleware",
    "accounts.middleware.PrivacyPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.second_factor.StaffSecondFactorMiddleware",
]

# Views served ahead of the session and the rest of the stack (see BareViewsMiddleware).
BARE_VIEWS = ["registrations:waiting_room_status"]

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
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
                "registrations.context_processors.cart",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    # Health checks: after a PostgreSQL restart a stale persistent connection is replaced
    # before use instead of failing the request.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with psycopg's C timestamp loader (portal/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "portal.postgresql"
        # A lock wait longer than this becomes a "busy, try again" answer (invariant 2).
        lock_timeout_ms = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "3000"))
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={lock_timeout_ms}"
        )
        if env_bool("DB_PREPARED_STATEMENTS", default=True):
            # Parameters bound by the server, so psycopg prepares a query it has run twice on
            # a connection, and PostgreSQL plans it once per connection: by default it would
            # plan again with each call's values for five calls, and for ever when the plan
            # for those values looks cheaper (on the empty statistics of a first opening
            # night, a slow one). Measured: 10 % of PostgreSQL's CPU per visit (README).
            DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)
            DATABASES["default"]["OPTIONS"]["options"] += " -c plan_cache_mode=force_generic_plan"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "camps")
# The opening-night waiting room's keys (portal/waiting_room.py); off without REDIS_URL.
WAITING_ROOM_KEY_PREFIX = os.environ.get("WAITING_ROOM_KEY_PREFIX", f"{CACHE_KEY_PREFIX}:wr")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage is a cache miss, never a 500 (sessions, rate limits, pages).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # A real cache (not DummyCache) so that allauth's rate limits work.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# Sessions live in the database, read through the cache: one query less per page, and web
# processes stay stateless. The cache ignores a Redis outage, so sessions survive it.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-emails": {
        "task": "portal.tasks.sweep_pending_emails",
        "schedule": timedelta(minutes=1),
    },
    "expire-stale-orders": {
        "task": "registrations.tasks.expire_stale_orders",
        "schedule": timedelta(minutes=1),
    },
    "retry-unsent-refunds": {
        "task": "registrations.tasks.retry_unsent_refunds",
        "schedule": timedelta(minutes=5),
    },
    "purge-sent-email-bodies": {
        "task": "portal.tasks.purge_sent_email_bodies",
        "schedule": timedelta(hours=24),
    },
    # Law 25: what has outlived its purpose is destroyed or de-identified (README, Privacy).
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": timedelta(hours=24),
    },
    # Every path that frees a place reaches the waiting line through this sweep.
    "serve-waiting-lines": {
        "task": "waitlist.tasks.serve_waiting_lines",
        "schedule": timedelta(seconds=30),
    },
}

# --- Auth and allauth -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.UserWithFamilyBackend",
    # Sessions opened before it keep working through the backend that opened them.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dossier"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:home"
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:dossier"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.FamilySignupForm",
    "login": "accounts.forms.FamilyLoginForm",
    "reset_password": "accounts.forms.FamilyResetPasswordForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Staff second factor (allauth.mfa): an authenticator app (TOTP) and recovery codes. With
# STAFF_MFA_REQUIRED (on by default when DEBUG is off) a staff account without TOTP is sent to
# set it up before any admin page.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MUNICIPALITY_NAME", "Camps de jour")
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", default=not DEBUG)
# Behind a TLS proxy (README, production): how many proxies append to X-Forwarded-For. Rate
# limits then count each parent's own address, not the proxy's; 0 = clients connect directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    # Only for the load benchmark, where thousands of parents log in from one address.
    ACCOUNT_RATE_LIMITS = False

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed file names need `collectstatic`; development and tests serve from the finders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not STATIC_MANIFEST
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Email ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Camps de jour <camps@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAIL = os.environ.get("STAFF_NOTIFICATION_EMAIL", "loisirs@example.org")
MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Ville de Saint-Exemple")
MUNICIPALITY_CONTACT = os.environ.get(
    "MUNICIPALITY_CONTACT", "Service des loisirs — 819 555-0100 — loisirs@example.org"
)
MUNICIPALITY_ADDRESS = os.environ.get(
    "MUNICIPALITY_ADDRESS", "100, rue Principale, Saint-Exemple (Québec)  J0A 1A0"
)
# Receipts: taxes included in the prices, « TPS:5:123456789RT0001;TVQ:9.975:1234567890TQ0001 »
# (name:rate in percent:registration number). None by default: day camps for children
# are generally exempt.
RECEIPT_TAXES = [
    tuple(part.split(":", 2))
    for part in os.environ.get("RECEIPT_TAXES", "").split(";")
    if part.count(":") == 2
]
# RL-24 slips: the town's identification number at Revenu Québec (its « numéro
# d'identification » / NEQ), printed on every slip and in the export. Blank shows « — ».
RL24_ISSUER_NUMBER = os.environ.get("RL24_ISSUER_NUMBER", "")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "emails"
# Seconds before the periodic sweep re-sends an email still pending.
OUTBOX_SWEEP_AFTER_SECONDS = int(os.environ.get("OUTBOX_SWEEP_AFTER_SECONDS", "180"))
OUTBOX_MAX_ATTEMPTS = 8
# Days a sent email's body stays readable in the outbox before the daily purge blanks it.
OUTBOX_BODY_RETENTION_DAYS = int(os.environ.get("OUTBOX_BODY_RETENTION_DAYS", "30"))
# Messages a clerk may send to families of a group, a week or a waiting line, per hour.
CAMP_MESSAGES_PER_HOUR = int(os.environ.get("CAMP_MESSAGES_PER_HOUR", "10"))

# --- Privacy (Quebec's Law 25) -------------------------------------------------
# The person in charge of personal information, published on the privacy page.
PRIVACY_OFFICER_TITLE = os.environ.get(
    "PRIVACY_OFFICER_TITLE", "Greffier ou greffière de la municipalité"
)
PRIVACY_OFFICER_CONTACT = os.environ.get(
    "PRIVACY_OFFICER_CONTACT", "confidentialite@example.org — 819 555-0100"
)
# Raise it when the policy changes: every family is asked to accept it at its next visit.
PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2027-01")
# Hours a family's data export stays downloadable.
PRIVACY_EXPORT_LINK_HOURS = int(os.environ.get("PRIVACY_EXPORT_LINK_HOURS", "48"))
# Retention periods, per kind of data (the periodic task and `manage.py apply_retention`).
RETENTION_HEALTH_MONTHS = int(os.environ.get("RETENTION_HEALTH_MONTHS", "6"))
RETENTION_UNAPPROVED_ACCOUNT_MONTHS = int(
    os.environ.get("RETENTION_UNAPPROVED_ACCOUNT_MONTHS", "12")
)
RETENTION_WAITLIST_MONTHS = int(os.environ.get("RETENTION_WAITLIST_MONTHS", "12"))
RETENTION_ACCESS_LOG_MONTHS = int(os.environ.get("RETENTION_ACCESS_LOG_MONTHS", "24"))
# Orders, payments and refunds of closed accounts: the town's accounting keeps them this long.
RETENTION_FINANCIAL_YEARS = int(os.environ.get("RETENTION_FINANCIAL_YEARS", "7"))

# --- Registration and payments ----------------------------------------------
HOLD_MINUTES = int(os.environ.get("HOLD_MINUTES", "30"))
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
PAYMENT_PROVIDER = os.environ.get(
    "PAYMENT_PROVIDER", "stripe" if STRIPE_SECRET_KEY else "simulated"
)
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: without it no payment "
        "news can be verified. Set the endpoint's signing secret (whsec_...)."
    )
# The simulated provider takes no money: refused with DEBUG off unless allowed here.
ALLOW_SIMULATED_PAYMENTS = env_bool("ALLOW_SIMULATED_PAYMENTS")
if PAYMENT_PROVIDER == "simulated" and not DEBUG and not ALLOW_SIMULATED_PAYMENTS:
    raise ImproperlyConfigured(
        "The simulated payment provider takes no money and is refused with DEBUG off. "
        "Set STRIPE_SECRET_KEY, or ALLOW_SIMULATED_PAYMENTS=1 for a demo or a benchmark."
    )

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
if TRUSTED_PROXY_COUNT:
    # Only behind a proxy that sets it: otherwise any client could claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")
# Forms are short: a request body over 512 KiB is refused (400) before any field is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Each checkout's group-lock hold time (INFO): the opening-night benchmark reads it.
        "registrations.locks": {
            "handlers": ["console"],
            "level": os.environ.get("LOCK_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
    },
}
