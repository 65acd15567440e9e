"""Settings, driven by the environment.

With no environment set, the portal runs on the embedded default: SQLite, Celery eager, mail to
the console, demo data. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


EMBEDDED = "DATABASE_URL" not in os.environ

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (EMBEDDED or env_bool("DEBUG")):
        # Sessions, password-reset links and the keyed hash of fnr in the API log depend on it.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY when running on PostgreSQL (DATABASE_URL).")
    SECRET_KEY = "embedded-default-not-for-production"
DEBUG = env_bool("DEBUG", EMBEDDED)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Proxies in front of the portal that append to X-Forwarded-For: the client address (rate limits,
# logs) is the Nth entry from its right; 0 means REMOTE_ADDR (casework.http.client_address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Links in e-mails; without SITE_URL, the local address on PORT (as `make run` serves it).
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"

# Demo organisations and logins are only ever created on the embedded default.
DEMO_DATA_ALLOWED = env_bool("DEMO_DATA_ALLOWED", EMBEDDED)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "casework",
    "notifications",
    "incidents",
    "onboarding",
    "notices",
    "changerequests",
    "questions",
    "balances",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, Permissions-Policy and no-store on every response below (not on static files).
    "config.security.SecurityHeadersMiddleware",
    # The Saldo API's two paths are answered here: a bank's server needs none of the browser
    # middleware below (sessions, language, CSRF, login, messages, htmx).
    "balances.middleware.SaldoApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language saved on the person's profile (notifications and mail are written in it).
    "accounts.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMfaMiddleware",
    # Users of a bank that registered itself reach only their onboarding case until Bits
    # has verified it.
    "accounts.middleware.UnverifiedOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.security.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The portal's 404 page also with DEBUG on (Django's own lists every URL).
    "config.middleware.PortalNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", os.environ.get("CELERY_BROKER_URL", ""))
if REDIS_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# allauth: log in by e-mail; nobody signs up on their own (invitations only).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Saldo forvaltning] "
# Failed logins: at most 5 per account in 5 minutes and 10 a minute per IP address (the client's,
# behind TRUSTED_PROXY_COUNT proxies: accounts.adapters asks casework.http.client_address).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Saldo forvaltning"
MFA_TOTP_TOLERANCE = 1

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Designsystemet's CSS comes from its npm package (make installs it), never copied into the repo.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("designsystemet", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# No MEDIA_URL on purpose: attachments are served only through views that check access.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if EMBEDDED
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Saldo forvaltning <noreply@example.com>")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", EMBEDDED)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down: the outbox sweep catches up.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5,
                                   "max_retries": 1}
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "notifications.tasks.outbox_sweep", "schedule": 60.0},
    "incidents-auto-close": {"task": "incidents.tasks.auto_close_resolved", "schedule": 3600.0},
    "questions-auto-close": {"task": "questions.tasks.auto_close_answered", "schedule": 3600.0},
    "contact-points-remind": {"task": "onboarding.tasks.contact_points_remind", "schedule": 86400},
    "notices-tick": {"task": "notices.tasks.notices_tick", "schedule": 30.0},
    # Lost fan-out jobs, due webhook retries, acknowledgement reminders (every process's).
    "channels-sweep": {"task": "notifications.tasks.channels_sweep", "schedule": 30.0},
    # Security breaches: remind Lånekassen until it confirms receipt (per reminder slot).
    "breach-receipt-reminders": {"task": "incidents.tasks.breach_receipt_reminders",
                                 "schedule": 60.0},
    "changerequests-deferred-resume": {"task": "changerequests.tasks.deferred_resume",
                                       "schedule": 3600.0},
    "changerequests-weekly-digest": {"task": "changerequests.tasks.weekly_digest",
                                     "schedule": crontab(hour=7, minute=0, day_of_week="mon")},
    # The lookup log's daily roll-up, read by reports and home pages (balances.rollup).
    "balances-lookup-rollup": {"task": "balances.tasks.lookup_rollup", "schedule": 60.0},
}
# A security breach's receipt not confirmed by Lånekassen: a reminder every this many minutes.
BREACH_RECEIPT_REMINDER_MINUTES = int(os.environ.get("BREACH_RECEIPT_REMINDER_MINUTES", "30"))
# An outbox row not sent this long after it was written is picked up by the sweep.
OUTBOX_SWEEP_AFTER_SECONDS = int(os.environ.get("OUTBOX_SWEEP_AFTER_SECONDS", "60"))
# A row claimed for sending this long ago belongs to a worker that died mid-send: the sweep claims
# it again. Keep it well above EMAIL_TIMEOUT and the webhook timeout.
OUTBOX_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", "300"))
# An e-mail that fails this many times is given up (failed); until then the sweep retries it.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))

# --- Channels (notifications): announcements, acknowledgements, webhooks ------------------
# Organisations handled per fan-out batch (one transaction each).
NOTIFICATIONS_FANOUT_BATCH_SIZE = int(os.environ.get("NOTIFICATIONS_FANOUT_BATCH_SIZE", "50"))
# An unfinished fan-out nobody has touched this long is restarted by the sweep.
NOTIFICATIONS_FANOUT_STALE_SECONDS = int(os.environ.get("NOTIFICATIONS_FANOUT_STALE_SECONDS",
                                                        "120"))
# Banks that have not acknowledged a critical notice or a change are reminded after this many
# working hours (Bits' opening hours), at most NOTIFICATIONS_ACK_MAX_REMINDERS times.
NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS = float(os.environ.get(
    "NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS", "4"))
NOTIFICATIONS_ACK_MAX_REMINDERS = int(os.environ.get("NOTIFICATIONS_ACK_MAX_REMINDERS", "3"))
# Webhooks: https to a public address only, except that the embedded default and the tests may
# use http://127.0.0.1 (notifications.transports). Never with DEBUG off: a bank admin could
# make the portal post to services on its own machine.
NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK",
                                                     EMBEDDED and DEBUG)
# pytest (PYTEST_VERSION) starts real workers on PostgreSQL that post to its receiver on
# 127.0.0.1 without DEBUG.
if NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK and not DEBUG and "PYTEST_VERSION" not in os.environ:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK lets webhooks reach "
                               "this machine: it is for DEBUG (the embedded default) only.")
NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get(
    "NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", "5"))

# --- Saldo API (balances) ------------------------------------------------------------------
# One deployment serves both environments: /saldo/v1/Accounts is production and
# /test/saldo/v1/Accounts is test. SALDO_API_ENVIRONMENTS says which of them this deployment
# answers (the other answers 404).
SALDO_API_ENVIRONMENTS = [e for e in os.environ.get(
    "SALDO_API_ENVIRONMENTS", "test,production").split(",") if e]
# Maskinporten (access token) and Altinn 2 (Consent-ID token) per environment: the issuer the
# token must carry and where its signing keys are published. A JWKS URL may also be an OAuth
# metadata document; its jwks_uri is followed.
SALDO_MASKINPORTEN = {
    "test": {"issuer": os.environ.get("SALDO_MASKINPORTEN_TEST_ISSUER",
                                      "https://test.maskinporten.no/"),
             "jwks_url": os.environ.get("SALDO_MASKINPORTEN_TEST_JWKS_URL",
                                        "https://test.maskinporten.no/jwk")},
    "production": {"issuer": os.environ.get("SALDO_MASKINPORTEN_ISSUER",
                                            "https://maskinporten.no/"),
                   "jwks_url": os.environ.get("SALDO_MASKINPORTEN_JWKS_URL",
                                              "https://maskinporten.no/jwk")},
}
SALDO_ALTINN = {
    "test": {"issuer": os.environ.get("SALDO_ALTINN_TEST_ISSUER", "https://tt02.altinn.no"),
             "jwks_url": os.environ.get(
                 "SALDO_ALTINN_TEST_JWKS_URL",
                 "https://tt02.altinn.no/.well-known/oauth-authorization-server")},
    "production": {"issuer": os.environ.get("SALDO_ALTINN_ISSUER", "https://www.altinn.no"),
                   "jwks_url": os.environ.get(
                       "SALDO_ALTINN_JWKS_URL",
                       "https://www.altinn.no/.well-known/oauth-authorization-server")},
}
# The audience (aud) a Maskinporten token must be issued for, per environment.
SALDO_API_AUDIENCE = {
    "test": os.environ.get("SALDO_API_TEST_AUDIENCE", "https://ekstern01.api.test.lanekassen.no/"),
    "production": os.environ.get("SALDO_API_AUDIENCE", "https://ekstern01.api.lanekassen.no/"),
}
SALDO_TOKEN_LEEWAY_SECONDS = int(os.environ.get("SALDO_TOKEN_LEEWAY_SECONDS", "30"))
SALDO_JWKS_CACHE_SECONDS = int(os.environ.get("SALDO_JWKS_CACHE_SECONDS", "3600"))
# An unknown kid refetches the JWKS at most this often (a stream of made-up kids costs nothing).
SALDO_JWKS_REFRESH_MIN_SECONDS = int(os.environ.get("SALDO_JWKS_REFRESH_MIN_SECONDS", "10"))
SALDO_JWKS_HTTP_TIMEOUT = float(os.environ.get("SALDO_JWKS_HTTP_TIMEOUT", "2"))
# After a failed JWKS fetch, calls use the last good keys (or fail fast) for this long.
SALDO_JWKS_FAILURE_SECONDS = int(os.environ.get("SALDO_JWKS_FAILURE_SECONDS", "30"))
# Altinn 2 service code (ServiceCode_ServiceEditionCode) and Altinn 3 consent resource.
SALDO_CONSENT_SERVICE = os.environ.get("SALDO_CONSENT_SERVICE", "5498_1")
SALDO_CONSENT_RESOURCE = os.environ.get("SALDO_CONSENT_RESOURCE", "lk-saldo-studielan")
# Throttling per bank and environment: at most RATE calls per WINDOW seconds, then 429.
SALDO_THROTTLE_RATE = int(os.environ.get("SALDO_THROTTLE_RATE", "50"))
SALDO_THROTTLE_WINDOW_SECONDS = int(os.environ.get("SALDO_THROTTLE_WINDOW_SECONDS", "1"))
# Calls refused before the bank is known (400, 401 on the ApiKey) per client address: after RATE
# of them in WINDOW seconds, every call from that address gets 429 until the window ends.
SALDO_ADDRESS_FAILURE_RATE = int(os.environ.get("SALDO_ADDRESS_FAILURE_RATE", "30"))
SALDO_ADDRESS_FAILURE_WINDOW_SECONDS = int(os.environ.get(
    "SALDO_ADDRESS_FAILURE_WINDOW_SECONDS", "60"))
# The local test issuer (Maskinporten and Altinn look-alike with its own keys) is trusted in the
# test environment only, and only when this is on and the test environment is served.
SALDO_TEST_ISSUER_ENABLED = env_bool("SALDO_TEST_ISSUER_ENABLED", EMBEDDED)
SALDO_TEST_ISSUER_URL = os.environ.get("SALDO_TEST_ISSUER_URL",
                                       SITE_URL.rstrip("/") + "/saldo-api/test-issuer")
# Key of the HMAC-SHA256 under which fødselsnumre are written to the lookup log. Changing it
# makes earlier log lines unsearchable by fnr.
SALDO_FNR_HASH_KEY = os.environ.get("SALDO_FNR_HASH_KEY", SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Headers, HTTPS and idle sessions (config/security.py) ----------------------------------
# No inline script or style anywhere: templates load their JavaScript and CSS from static files.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
    "form-action 'self'", "base-uri 'self'",
])
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb"))
# Bits and Lånekassen see every bank's cases: logged out after this long without a request.
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", "1800"))
if not (DEBUG or EMBEDDED):
    # Production is https only. Behind the README's proxy, gunicorn takes the scheme from
    # X-Forwarded-Proto of a trusted proxy (FORWARDED_ALLOW_IPS), so is_secure() is true there.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
