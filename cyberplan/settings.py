"""cyberplan settings: one module, read from the environment.

Every value that differs between a laptop demo and a production installation comes from an
environment variable. ``CYBERPLAN_ENV`` chooses the profile:

* ``development`` (default): embedded defaults (SQLite and data under ``./var``), a generated
  secret key kept in the data directory, loopback hosts only.
* ``production``: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required; secure cookies, HSTS and
  SSL redirect are on; start-up stops with one clear sentence when a value is missing or malformed.
* ``test``: like development, with fast password hashing.

The variables are documented in ``docs/reference/configuration.md``.
"""

from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

ENVIRONMENTS = ("development", "production", "test")


class SettingError(ImproperlyConfigured):
    """A setting is missing or malformed; the message is one sentence for the operator."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise SettingError(f"The environment variable {name} is required in production but is not set.")
        return default if default is not None else ""
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"The environment variable {name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingError(f"The environment variable {name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SettingError(f"The environment variable {name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


CYBERPLAN_ENV = env_str("CYBERPLAN_ENV", "development")
if CYBERPLAN_ENV not in ENVIRONMENTS:
    raise SettingError(
        f"The environment variable CYBERPLAN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {CYBERPLAN_ENV!r}."
    )
PRODUCTION = CYBERPLAN_ENV == "production"

DATA_DIR = Path(env_str("CYBERPLAN_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
if CYBERPLAN_ENV == "test" and os.environ.get("PYTEST_XDIST_WORKER") and "CYBERPLAN_DATA_DIR" not in os.environ:
    # The suite in parallel processes (pytest -n): each keeps its own data directory under the default
    # one (event stores, media, cache). A process a test starts with a data directory of its own keeps it.
    DATA_DIR = DATA_DIR / f"test-{os.environ['PYTEST_XDIST_WORKER']}"
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise SettingError(
        f"The data directory {DATA_DIR} (CYBERPLAN_DATA_DIR) cannot be created: {exc.strerror}."
    ) from None


def _development_secret_key() -> str:
    """A per-installation key for non-production use, generated once and kept in the data directory."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise SettingError("The environment variable SECRET_KEY must be a random value of at least 50 characters.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise SettingError("The environment variable ALLOWED_HOSTS is required in production but is not set.")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY") or _development_secret_key()
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    DEBUG = env_bool("CYBERPLAN_DEBUG", default=False)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    # For its catalogues: country names in Spanish in forms, pages and documents.
    "django_countries",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "django_tasks",
    # Before django_tasks_db: its ``db_worker`` command replaces the library's (fair order, time
    # limits, cancellation, recovery of jobs left by a dead worker).
    "cyberplan.jobs",
    "cyberplan.reports",
    "django_tasks_db",
    "cyberplan.core",
    # The top floor (the overview, the demo, the audit export), listed where core used to register
    # the audit export job kind, so that the kinds keep their order in the API schema.
    "cyberplan.workspace",
    "cyberplan.accounts",
    "cyberplan.gaps",
    "cyberplan.threats",
    "cyberplan.trends",
    "cyberplan.assessment",
    "cyberplan.legal",
    "cyberplan.training",
    "cyberplan.strategy",
    "cyberplan.sharing",
    "cyberplan.regional",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cyberplan.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cyberplan.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cyberplan.urls"
WSGI_APPLICATION = "cyberplan.wsgi.application"

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
                "csp.context_processors.nonce",
                "cyberplan.core.context_processors.navigation",
            ],
        },
    },
]

# Databases: SQLite in the data directory unless DATABASE_URL names another database.
_database_url = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cyberplan.sqlite3'}")
try:
    _default_db = dj_database_url.parse(_database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
except (ValueError, KeyError) as exc:
    raise SettingError(
        f"The environment variable DATABASE_URL is not a database address cyberplan understands: {exc}."
    ) from None
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker and the web server share the file: wait instead of failing on a lock.
    _default_db.setdefault("OPTIONS", {})
    _default_db["OPTIONS"].setdefault("timeout", 20)
    _default_db["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    _default_db["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    )
    _default_db["TEST"] = {"NAME": env_str("CYBERPLAN_TEST_DB", "") or None}
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if CYBERPLAN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # allauth's backend is Django's model backend (user names, passwords, permissions) plus what
    # allauth's own sign-in flows need.
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in pages, two-factor sign-in and single sign-on (django-allauth). Accounts are made by
# administrators: nobody signs up, and the e-mail addresses are the ones administrators entered.
ACCOUNT_ADAPTER = "cyberplan.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "cyberplan.accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_FORMS = {"login": "cyberplan.accounts.forms.LoginForm"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # sessions last CYBERPLAN_SESSION_HOURS, as before
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 600
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
if CYBERPLAN_ENV == "test":
    # The suite signs in hundreds of times from one address, and the cache outlives the test database.
    ACCOUNT_RATE_LIMITS: dict[str, str] | bool = False
else:
    # Passwords are limited by django-axes above; allauth's counter is the limit on second-factor codes.
    ACCOUNT_RATE_LIMITS = {"login_failed": "60/m/ip,10/5m/key"}

# Two-factor sign-in: an authenticator app (TOTP), security keys and passkeys (WebAuthn), and
# single-use recovery codes. Administrators and coordinators must set up an app or a key.
MFA_ADAPTER = "cyberplan.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("CYBERPLAN_MFA_ISSUER", "cyberplan")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION  # http://localhost in development and tests
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side, for phones whose clocks drift a little
CYBERPLAN_MFA_REQUIRED = env_bool("CYBERPLAN_MFA_REQUIRED", default=CYBERPLAN_ENV != "test")

# Single sign-on through an institution's OpenID Connect provider (off unless an issuer is given).
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
CYBERPLAN_OIDC_ISSUER = env_str("CYBERPLAN_OIDC_ISSUER", "")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if CYBERPLAN_OIDC_ISSUER:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", CYBERPLAN_OIDC_ISSUER):
        raise SettingError(
            f"The environment variable CYBERPLAN_OIDC_ISSUER must be the provider's https:// address, not {CYBERPLAN_OIDC_ISSUER!r}."
        )
    if PRODUCTION and not CYBERPLAN_OIDC_ISSUER.startswith("https://"):
        raise SettingError("The environment variable CYBERPLAN_OIDC_ISSUER must be an https:// address in production.")
    _oidc_client = {name: env_str(f"CYBERPLAN_OIDC_{name}") for name in ("CLIENT_ID", "CLIENT_SECRET")}
    for _name, _value in _oidc_client.items():
        if not _value:
            raise SettingError(
                f"The environment variable CYBERPLAN_OIDC_{_name} is required when CYBERPLAN_OIDC_ISSUER is set."
            )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": "sso",
            "name": env_str("CYBERPLAN_OIDC_LABEL", "Single sign-on"),
            "client_id": _oidc_client["CLIENT_ID"],
            "secret": _oidc_client["CLIENT_SECRET"],
            "settings": {"server_url": CYBERPLAN_OIDC_ISSUER, "scope": ["openid", "email", "profile"]},
        }
    ]

# Login rate limiting (django-axes): lock a username and address pair after repeated failures, and an
# address after more failures across any user names (a second counter over the same attempt records).
CYBERPLAN_LOGIN_FAILURE_LIMIT = env_int("CYBERPLAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_FAILURE_LIMIT = "cyberplan.core.security.failure_limit"
AXES_COOLOFF_TIME = env_int("CYBERPLAN_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy, the client address is taken from X-Forwarded-For, this many hops from the right.
CYBERPLAN_PROXY_COUNT = env_int("CYBERPLAN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "cyberplan.core.security.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = CYBERPLAN_PROXY_COUNT
AXES_ENABLED = env_bool("CYBERPLAN_LOGIN_RATE_LIMIT", default=True)

# Internationalisation: Spanish and English; the user's saved preference, then the browser.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("CYBERPLAN_TIME_ZONE", "America/Asuncion")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise SettingError(
        f"The environment variable CYBERPLAN_TIME_ZONE must be a time zone name such as America/Asuncion, not {TIME_ZONE!r}."
    ) from None
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Paraguay's grouping in Spanish and the time zone on date-times: cyberplan/formats/.
FORMAT_MODULE_PATH = ["cyberplan.formats"]
LANGUAGE_COOKIE_NAME = "cyberplan_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("CYBERPLAN_STATIC_ROOT", str(DATA_DIR / "static")))
if not PRODUCTION:
    # Files are served from the source tree through the finders; the folder only has to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploads: refuse oversized requests early; importers apply their own per-file limit.
CYBERPLAN_MAX_UPLOAD_BYTES = env_int("CYBERPLAN_MAX_UPLOAD_MB", 50, minimum=1) * 1024 * 1024
# Threat evidence: feeds uploaded in the web UI, and what any import may unpack to.
CYBERPLAN_MAX_IMPORT_UPLOAD_BYTES = env_int("CYBERPLAN_MAX_IMPORT_UPLOAD_MB", 512, minimum=1) * 1024 * 1024
CYBERPLAN_MAX_IMPORT_BYTES = env_int("CYBERPLAN_MAX_IMPORT_MB", 1024, minimum=1) * 1024 * 1024
# STIX objects, MISP attributes or VERIS incidents one JSON file may hold: a daily national feed
# holds a few thousand; larger files are refused with a message asking to split them.
CYBERPLAN_MAX_IMPORT_OBJECTS = env_int("CYBERPLAN_MAX_IMPORT_OBJECTS", 50_000, minimum=1)
CYBERPLAN_EVENTS_DIR = Path(env_str("CYBERPLAN_EVENTS_DIR", str(DATA_DIR / "events")))
# After each import, a background job computes the trends dashboard's default pages (off in tests,
# where no worker runs and jobs would only pile up).
CYBERPLAN_TRENDS_WARM = env_bool("CYBERPLAN_TRENDS_WARM", CYBERPLAN_ENV != "test")
# Where the regional metric set over a regional programme's pooled events runs (its dashboard and report):
# DuckDB on this machine, or Apache Spark when the pool outgrows it (CYBERPLAN_SPARK_MASTER says which cluster).
CYBERPLAN_REGIONAL_POOL_ENGINE = env_str("CYBERPLAN_REGIONAL_POOL_ENGINE", "duckdb")
if CYBERPLAN_REGIONAL_POOL_ENGINE not in ("duckdb", "spark"):
    raise SettingError(
        "The environment variable CYBERPLAN_REGIONAL_POOL_ENGINE must be duckdb or spark, "
        f"not {CYBERPLAN_REGIONAL_POOL_ENGINE!r}."
    )
CYBERPLAN_DUCKDB_MEMORY = env_str("CYBERPLAN_DUCKDB_MEMORY", "1500MB")
if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", CYBERPLAN_DUCKDB_MEMORY):
    raise SettingError(
        f"The environment variable CYBERPLAN_DUCKDB_MEMORY must look like 1500MB or 2GB, not {CYBERPLAN_DUCKDB_MEMORY!r}."
    )
# Optional MaxMind DB (.mmdb, country/city or ASN) for the countries and AS numbers of event sources
# that neither the feed, iptocc nor the constituency gave; empty: not used.
_mmdb = env_str("CYBERPLAN_MMDB_PATH", "")
CYBERPLAN_MMDB_PATH: Path | None = Path(_mmdb) if _mmdb else None
if CYBERPLAN_MMDB_PATH is not None and not CYBERPLAN_MMDB_PATH.is_file():
    raise SettingError(
        f"The environment variable CYBERPLAN_MMDB_PATH names {_mmdb!r}, which is not a file; "
        "give the path of a MaxMind DB (.mmdb) file, or leave it empty."
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# TAXII 2.1: the largest envelope a partner may POST (the API root's max_content_length; never above what
# Django reads into memory), and the page sizes of lists.
CYBERPLAN_TAXII_MAX_CONTENT_LENGTH = min(
    env_int("CYBERPLAN_TAXII_MAX_CONTENT_MB", 5, minimum=1) * 1024 * 1024, DATA_UPLOAD_MAX_MEMORY_SIZE
)
CYBERPLAN_TAXII_PAGE_SIZE = env_int("CYBERPLAN_TAXII_PAGE_SIZE", 100, minimum=1)
CYBERPLAN_TAXII_MAX_PAGE_SIZE = env_int("CYBERPLAN_TAXII_MAX_PAGE_SIZE", 1000, minimum=1)
# TAXII client: seconds to wait for a partner server to connect and to send each answer.
CYBERPLAN_TAXII_CLIENT_TIMEOUT = env_int("CYBERPLAN_TAXII_CLIENT_TIMEOUT", 30, minimum=1)
# How long sending a statistics package waits for the regional programme's answer note (seconds).
CYBERPLAN_REGIONAL_ANSWER_SECONDS = env_int("CYBERPLAN_REGIONAL_ANSWER_SECONDS", 60, minimum=0)

# Keys that encrypt the passwords kept to reach partners' servers (cyberplan.core.encryption): the first
# encrypts, every one decrypts (rotation). Unset, one key derived from SECRET_KEY (and its fallbacks) is used.
CYBERPLAN_SECRETS_KEYS = env_list("CYBERPLAN_SECRETS_KEY", [])
for _secrets_key in CYBERPLAN_SECRETS_KEYS:
    if len(_secrets_key) < 32 or len(set(_secrets_key)) < 5:
        raise SettingError(
            "Each key of the environment variable CYBERPLAN_SECRETS_KEY (separated by commas) must be a random "
            "value of at least 32 characters."
        )

# Security baseline. Production turns on everything that needs HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CYBERPLAN_SESSION_HOURS", 12, minimum=1) * 3600
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("CYBERPLAN_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("CYBERPLAN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("CYBERPLAN_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: only our own origin; no inline scripts and no inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def env_rate(name: str, default: str) -> str:
    value = env_str(name, default)
    if not re.fullmatch(r"\d+/(second|minute|hour|day)", value):
        raise SettingError(
            f"The environment variable {name} must look like 100/hour (per second, minute, hour or day), not {value!r}."
        )
    return value


# API tokens (cyberplan.core.tokens): the longest lifetime a user may choose, in days.
CYBERPLAN_API_TOKEN_MAX_DAYS = env_int("CYBERPLAN_API_TOKEN_MAX_DAYS", 365, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cyberplan.core.api.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("CYBERPLAN_API_ANON_RATE", "30/minute"),
        "user": env_rate("CYBERPLAN_API_USER_RATE", "2000/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cyberplan API",
    "DESCRIPTION": "REST API of cyberplan: organisations, gap register, audit log and background jobs.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "GapStatusEnum": "cyberplan.gaps.choices.GapStatus",
        "JobStatusEnum": "cyberplan.jobs.choices.JobStatus",
        "TLPEnum": "cyberplan.core.choices.TLP",
        "APITokenStatusEnum": "cyberplan.core.tokens.APITokenStatus",
        "RoleEnum": "cyberplan.core.choices.Role",
        # Enums with the same field name in several apps get names of their own.
        "GapSourceEnum": "cyberplan.gaps.choices.GapSource",
        "KPISourceEnum": "cyberplan.strategy.choices.KPISource",
        "KPILevelEnum": "cyberplan.strategy.choices.KPILevel",
        "LevelEnum": "cyberplan.training.choices.Level",
        "ActionStatusEnum": "cyberplan.strategy.choices.ActionStatus",
        "VersionStatusEnum": "cyberplan.strategy.choices.VersionStatus",
        "ImportStatusEnum": "cyberplan.threats.choices.ImportStatus",
        "FundingSourceEnum": "cyberplan.strategy.choices.FundingSource",
        "LegalStatusEnum": "cyberplan.legal.choices.LegalStatus",
        "InstrumentKindEnum": "cyberplan.legal.choices.InstrumentKind",
        "ReviewStateEnum": "cyberplan.legal.choices.ReviewState",
    },
    # Every operation documents the errors it can answer (401, 403, 429, and 400, 404, 409, 415 where
    # they apply), so the committed schema is a contract a client can rely on.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cyberplan.core.api.schema.document_errors",
    ],
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}


def env_minutes_by_name(name: str) -> dict[str, float]:
    """``kind=minutes,kind=minutes`` (minutes may have decimals) as a dictionary."""
    limits: dict[str, float] = {}
    for item in env_list(name, []):
        kind, _, minutes = item.partition("=")
        try:
            value = float(minutes)
        except ValueError:
            value = 0.0
        if not kind.strip() or not value > 0 or value == float("inf"):
            raise SettingError(
                f"The environment variable {name} must look like threat_import=60,audit_export=10 "
                f"(a job kind and a number of minutes above 0), not {item!r}."
            )
        limits[kind.strip()] = value
    return limits


# Time limit of each job kind in minutes, over the limit registered with the kind (docs: operations/jobs).
CYBERPLAN_JOB_TIME_LIMITS = env_minutes_by_name("CYBERPLAN_JOB_TIME_LIMITS")
# How long a job asked to stop (cancelled, over its time limit, worker stopping) may take to stop
# on its own before the worker ends it.
CYBERPLAN_JOB_STOP_GRACE_SECONDS = env_int("CYBERPLAN_JOB_STOP_GRACE_SECONDS", 20, minimum=1)
# A running job whose heartbeat is older than this, on another machine, is taken for abandoned.
CYBERPLAN_JOB_STALE_MINUTES = env_int("CYBERPLAN_JOB_STALE_MINUTES", 10, minimum=1)

LOG_LEVEL = env_str("CYBERPLAN_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise SettingError(
        f"The environment variable CYBERPLAN_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )

# A cache shared by every process of the installation (API throttling, login counters).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
