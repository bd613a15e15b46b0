"""Settings, read from the environment.

Embedded mode (the default): SQLite under ``var/``, a secret key generated once and kept in
``var/secret_key``, DEBUG on.  Production mode (``CHARTERDESK_PRODUCTION=1``): ``SECRET_KEY`` and
``DATABASE_URL`` must be given, DEBUG is off.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHARTERDESK_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("CHARTERDESK_PRODUCTION", "") in {"1", "true", "yes"}


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production mode.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Production mode forces DEBUG off, whatever DEBUG says.
DEBUG = not PRODUCTION and os.environ.get("DEBUG", "1") in {"1", "true", "yes"}
ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "*" if not PRODUCTION else "").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "charterdesk.core",
    "charterdesk.standard",
    "charterdesk.calendar",
    "charterdesk.directory",
    "charterdesk.clients",
    "charterdesk.security",
    "charterdesk.cases",
    "charterdesk.sla",
    "charterdesk.outbox",
    "charterdesk.channels.email",
    "charterdesk.channels.phone",
    "charterdesk.channels.post",
    "charterdesk.search",
    "charterdesk.notifications",
    "charterdesk.desk",
    "charterdesk.reports",
    "charterdesk.feedback",
    "charterdesk.assembly",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mozilla_django_oidc",
    "charterdesk.signin",
    "charterdesk.appointments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "charterdesk.signin.middleware.DownloadSandboxMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "charterdesk.signin.middleware.IdleTimeoutMiddleware",
    "charterdesk.signin.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'charterdesk.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if PRODUCTION and "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL must be set in production mode.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process started by a test sees the test database; one
    # per process so that parallel test runs do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    # The covering columns of ``case_active_unassigned_due`` (``INCLUDE``) are PostgreSQL's; on
    # SQLite the index keeps its key columns, which is what the warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Sign-in (charterdesk/signin, docs/signin.md): lock-out after failed attempts (django-axes, on the
# desk and the admin alike), the idle time-out, the second factor (django-otp TOTP; required for
# administrators), OpenID Connect single sign-on when CHARTERDESK_OIDC_CLIENT_ID is set.
AUTHENTICATION_BACKENDS = [
    "charterdesk.signin.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CHARTERDESK_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CHARTERDESK_SIGNIN_LOCKOUT_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "charterdesk.signin.lockout.lockout_response"
AXES_VERBOSE = False
# Behind N reverse proxies the client's address is the N-th from the right in X-Forwarded-For.
CHARTERDESK_PROXY_COUNT = int(os.environ.get("CHARTERDESK_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "charterdesk.signin.lockout.client_ip"
CHARTERDESK_IDLE_TIMEOUT = int(os.environ.get("CHARTERDESK_IDLE_TIMEOUT_MINUTES", "30")) * 60
OTP_TOTP_ISSUER = os.environ.get("CHARTERDESK_TOTP_ISSUER", "charterdesk")
CHARTERDESK_OIDC = bool(os.environ.get("CHARTERDESK_OIDC_CLIENT_ID"))
if CHARTERDESK_OIDC:
    AUTHENTICATION_BACKENDS.insert(1, "charterdesk.signin.oidc.EmployeeOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["CHARTERDESK_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("CHARTERDESK_OIDC_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("CHARTERDESK_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("CHARTERDESK_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("CHARTERDESK_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = os.environ.get("CHARTERDESK_OIDC_USERINFO_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("CHARTERDESK_OIDC_JWKS_ENDPOINT", "")
    OIDC_RP_SCOPES = os.environ.get("CHARTERDESK_OIDC_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False
    LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
# The name of the identity provider on the sign-in button, e.g. "ALTUM Entra ID".
CHARTERDESK_OIDC_PROVIDER_NAME = os.environ.get("CHARTERDESK_OIDC_PROVIDER_NAME", "")
# The claim that names the employee: matched against Employee.email.
CHARTERDESK_OIDC_EMAIL_CLAIM = os.environ.get("CHARTERDESK_OIDC_EMAIL_CLAIM", "email")

LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "charterdesk" / "locale"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") in {"1", "true", "yes"}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "altum@altum.lv")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the demo writes mail here).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail"))

# E-mail intake (charterdesk/channels/email, docs/email-intake.md). Other CHARTERDESK_EMAIL_*
# settings have their defaults in charterdesk/channels/email/conf.py.
CHARTERDESK_EMAIL_MAX_BYTES = int(
    os.environ.get("CHARTERDESK_EMAIL_MAX_BYTES", str(25 * 1024 * 1024))
)
CHARTERDESK_EMAIL_RATE_LIMIT = (
    int(os.environ.get("CHARTERDESK_EMAIL_RATE_LIMIT_COUNT", "30")),
    int(os.environ.get("CHARTERDESK_EMAIL_RATE_LIMIT_SECONDS", "3600")),
)
CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT = (  # 0: no limit per sending domain
    int(os.environ.get("CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT_COUNT", "200")),
    int(os.environ.get("CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT_SECONDS", "3600")),
)
CHARTERDESK_EMAIL_INTAKE: dict[str, dict[str, object]] = {}
if os.environ.get("CHARTERDESK_IMAP_HOST"):
    CHARTERDESK_EMAIL_INTAKE["default"] = {
        "BACKEND": "charterdesk.channels.email.transports.imap.ImapMailbox",
        "HOST": os.environ["CHARTERDESK_IMAP_HOST"],
        "PORT": int(os.environ.get("CHARTERDESK_IMAP_PORT", "993")),
        "SECURITY": os.environ.get("CHARTERDESK_IMAP_SECURITY", "ssl"),
        "USER": os.environ.get("CHARTERDESK_IMAP_USER", ""),
        "PASSWORD": os.environ.get("CHARTERDESK_IMAP_PASSWORD", ""),
        "FOLDERS": [f for f in os.environ.get("CHARTERDESK_IMAP_FOLDERS", "INBOX").split(",") if f],
        "PROGRAMME": os.environ.get("CHARTERDESK_IMAP_PROGRAMME", ""),
    }
if os.environ.get("CHARTERDESK_LMTP_PORT"):
    CHARTERDESK_EMAIL_INTAKE["lmtp"] = {
        "BACKEND": "charterdesk.channels.email.transports.lmtp.LmtpReceiver",
        "HOST": os.environ.get("CHARTERDESK_LMTP_HOST", "127.0.0.1"),
        "PORT": int(os.environ["CHARTERDESK_LMTP_PORT"]),
        "PROTOCOL": os.environ.get("CHARTERDESK_LMTP_PROTOCOL", "lmtp"),
    }

# The outbox (charterdesk/outbox): retries with backoff, and the lease after which a mail left
# "sending" by a dead worker is sent again (same Message-ID).
CHARTERDESK_OUTBOX_RETRY_BASE = int(os.environ.get("CHARTERDESK_OUTBOX_RETRY_BASE", "60"))
CHARTERDESK_OUTBOX_RETRY_MAX = int(os.environ.get("CHARTERDESK_OUTBOX_RETRY_MAX", "3600"))
CHARTERDESK_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("CHARTERDESK_OUTBOX_MAX_ATTEMPTS", "10"))
CHARTERDESK_OUTBOX_LEASE = int(os.environ.get("CHARTERDESK_OUTBOX_LEASE", "600"))
# The domain in our Message-IDs.
CHARTERDESK_MAIL_DOMAIN = os.environ.get(
    "CHARTERDESK_MAIL_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)

# The service standard the desk runs: a policy file (see charterdesk/standard/).
CHARTERDESK_POLICY = os.environ.get(
    "CHARTERDESK_POLICY", str(BASE_DIR / "charterdesk" / "standard" / "policies" / "altum.toml")
)
# Prefix of case references, e.g. ALT-2026-000123.
CHARTERDESK_CASE_PREFIX = os.environ.get("CHARTERDESK_CASE_PREFIX", "ALT")
# Consultations (charterdesk/appointments): the address clients' links in invitations and
# reminders start with (move, cancel, "I will be late").
CHARTERDESK_PUBLIC_URL = os.environ.get("CHARTERDESK_PUBLIC_URL", "http://localhost:8000")

# Content-Security-Policy on every page (django-csp); downloads get "sandbox" on top
# (charterdesk.signin.middleware.DownloadSandboxMiddleware). No inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}

if PRODUCTION:
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto (docs/signin.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("CHARTERDESK_SSL_REDIRECT", "1") in {"1", "true", "yes"}
    SECURE_HSTS_SECONDS = int(os.environ.get("CHARTERDESK_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SECURE_REFERRER_POLICY = "same-origin"
# The read log [CONFIDENTIALITY] (charterdesk/security/): rows older than this are removed by
# ``charterdesk security purge-log`` (a checkpoint keeps the rest verifiable).
CHARTERDESK_READ_LOG_RETENTION_DAYS = int(
    os.environ.get("CHARTERDESK_READ_LOG_RETENTION_DAYS", str(5 * 365))
)
# Compliance report and surveys (charterdesk/reports, charterdesk/feedback; docs/reports.md).
# The public figures and their open data are published only when switched on.
CHARTERDESK_PUBLIC_FIGURES = os.environ.get("CHARTERDESK_PUBLIC_FIGURES", "") in {
    "1",
    "true",
    "yes",
}
CHARTERDESK_PUBLIC_MIN_COUNT = int(os.environ.get("CHARTERDESK_PUBLIC_MIN_COUNT", "10"))
# The address survey links in e-mails and text messages point to.
CHARTERDESK_PUBLIC_URL = os.environ.get("CHARTERDESK_PUBLIC_URL", "http://localhost:8000")
# A class with send(*, to, text) for survey text messages; empty: no survey by text message.
CHARTERDESK_SMS_SENDER = os.environ.get("CHARTERDESK_SMS_SENDER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Phone channel (charterdesk/channels/phone, docs/phone.md): how far a signed call event's
# timestamp may be from the desk's clock, in seconds (the replay window).
PHONE_SIGNATURE_WINDOW = int(os.environ.get("CHARTERDESK_PHONE_SIGNATURE_WINDOW", "300"))
