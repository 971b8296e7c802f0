"""Partner Center settings: one module, read from the environment through django-environ.

With no environment at all this is the embedded default: a SQLite file under var/, Celery tasks
run in-process, e-mail goes to the console. Set DATABASE_URL / REDIS_URL for the real deployment,
and DJANGO_ENV=production to switch on the security settings (and refuse a missing SECRET_KEY).
"""

import contextlib
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional local overrides; never committed

# pytest sets PYTEST_VERSION: the suite then defaults to the real services on 127.0.0.1.
DJANGO_ENV = env.str(
    "DJANGO_ENV", default="test" if "PYTEST_VERSION" in os.environ else "development"
)
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"
if TESTING:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partnercenter")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

_INSECURE_KEY = "django-insecure-partnercenter-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY)
if PRODUCTION and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs a real SECRET_KEY (at least 50 random characters)."
    )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public base URL used in e-mails (invitation links) sent from background jobs,
# where there is no request to build an absolute URL from.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "partnercenter",
    "customers",
    "billing",
    "resellers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnercenter.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "partnercenter.locale.PortalLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partnercenter.middleware.TenancyMiddleware",
    "customers.middleware.CustomerMiddleware",
    "partnercenter.mfa.MfaRequiredMiddleware",
    "partnercenter.api.middleware.PartnerApiMiddleware",
]

ROOT_URLCONF = "partnercenter.urls"
WSGI_APPLICATION = "partnercenter.wsgi.application"
ASGI_APPLICATION = "partnercenter.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnercenter.context_processors.shell",
            ],
            "builtins": ["django.templatetags.i18n", "partnercenter.templatetags.pc"],
        },
    }
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo default: IMMEDIATE transactions so concurrent writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if TESTING else 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Tests keep Django's cache per process: parallel test workers would otherwise share
# allauth's rate-limit counters (keyed by 127.0.0.1) through Redis and trip each other.
if REDIS_URL and not TESTING:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- People ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "partnercenter.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "partnercenter.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS_ENABLED = env.bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False  # only the test settings turn them off, per test module
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partner Center] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "partnercenter.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Partner Center"

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Shanghai"  # Beijing time is what the partner's bills and deadlines are in
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Vendor assets come from npm at set-up and are served straight from node_modules.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = not PRODUCTION
# whitenoise warns about a missing STATIC_ROOT even when it serves from the finders.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Partner Center <noreply@partnercenter.test>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_EMAIL_HOST = env.str("EMAIL_HOST", default="localhost" if PRODUCTION else "")
if _EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env.int("EMAIL_PORT", default=587 if _EMAIL_HOST != "localhost" else 25),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=_EMAIL_HOST != "localhost"),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Jobs -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Tests run tasks eagerly unless a test starts a real worker (tests/conftest.py: celery_worker).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING or not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = CELERY_TASK_ALWAYS_EAGER
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A static schedule (beat's default scheduler); each app's sweeps are listed here.
CELERY_BEAT_SCHEDULE = {
    "rate-on-demand-resources": {
        "task": "billing.tasks.rate_on_demand_resources",
        "schedule": crontab(minute=5),  # every hour, a few minutes after the hour closes
    },
    "expire-prepaid-resources": {
        "task": "billing.tasks.expire_prepaid_resources",
        "schedule": crontab(minute=15),
    },
    "expire-member-invitations": {
        "task": "partnercenter.tasks.expire_member_invitations",
        "schedule": 15 * 60,
    },
    "expire-customer-invitations": {
        "task": "customers.tasks.expire_customer_invitations",
        "schedule": 15 * 60,
    },
    "expire-reseller-invitations": {
        "task": "resellers.tasks.expire_reseller_invitations",
        "schedule": 15 * 60,
    },
    # A used API signature only matters while its X-Sdk-Date is inside the 15-minute window.
    "purge-used-api-signatures": {
        "task": "partnercenter.tasks.purge_used_signatures",
        "schedule": 15 * 60,
    },
    "purge-expired-exports": {
        "task": "partnercenter.tasks.purge_expired_exports",
        "schedule": 60 * 60,
    },
    # 伙伴账单: generated before 12:00 on the 5th (Beijing time, CELERY_TIMEZONE) for the previous
    # month. The 10:30 run is a second chance if beat was down at 02:30; the task is idempotent.
    "generate-partner-bills": {
        "task": "billing.tasks.generate_partner_bills",
        "schedule": crontab(minute=30, hour="2,10", day_of_month=5),
    },
}

# --- Security -------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# X-Forwarded-Proto is believed only when a proxy we run sets it: otherwise anyone calling
# gunicorn directly could claim HTTPS (and pass the partner API's HTTPS-only rule).
PC_TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", default=False)
if PC_TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container healthcheck speaks plain HTTP; the partner API never redirects (the SDK would
    # take a 301 for an empty success), so TLS for it is the proxy's job.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^v[23]/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- Product --------------------------------------------------------------------------------
PC_TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
PC_MEMBER_INVITATION_DAYS = 7
PC_MEMBER_INVITATIONS_PER_DAY = 100
PC_BRAND = _("Partner Center")

# Partner API (partner-api.md). Secrets of access keys are encrypted with these, newest first;
# unset, a key derived from SECRET_KEY is used. Rotate by prepending a new key.
ACCESS_KEY_ENCRYPTION_KEYS = env.list("ACCESS_KEY_ENCRYPTION_KEYS", default=[])
PC_ACCESS_KEYS_PER_USER = 2  # active keys at a time

# 敏感操作验证 by e-mailed code (partnercenter.verification): valid 5 minutes, 5 wrong tries use
# it up; a person can ask for one a minute and 10 an hour.
PC_VERIFICATION_CODE_TTL = 5 * 60
PC_VERIFICATION_CODE_TRIES = 5
PC_VERIFICATION_SEND_INTERVAL = 60
PC_VERIFICATION_SENDS_PER_HOUR = 10
PC_API_SIGNATURE_WINDOW = 15 * 60  # seconds either side of X-Sdk-Date (the Huawei gateway's)
PC_API_RATE_LIMIT = env.int(
    "API_RATE_LIMIT", default=10
)  # requests per second, per key + operation
# The API never redirects (the SDK takes a 301 for an empty success), so in production a request
# over plain HTTP is refused with a JSON error instead of being sent to https://.
PC_API_HTTPS_ONLY = PRODUCTION
# The largest request body the API reads (its bodies are a few kB; the whole body is hashed).
PC_API_MAX_BODY_BYTES = 256 * 1024
