"""ChildFirst settings: one module, configured only by environment variables.

Every variable is read through a typed helper that refuses a malformed value with an
ImproperlyConfigured error naming the variable, so a typo in production stops start-up
instead of silently falling back to a default.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use one of 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envpath(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


VAR_DIR = envpath("CHILDFIRST_VAR_DIR", PROJECT_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("CHILDFIRST_DEBUG", False)


def _secret_key() -> str:
    """The key from the environment; otherwise one generated once and kept under var/.

    A generated key keeps a single-machine install working across restarts; a scaled-out
    web tier must set CHILDFIRST_SECRET_KEY so every instance signs sessions alike.
    """
    key = os.environ.get("CHILDFIRST_SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise ImproperlyConfigured("CHILDFIRST_SECRET_KEY must be at least 32 characters long")
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _registry_key() -> bytes:
    """The registry's master key (32 bytes, urlsafe base64): ID numbers are encrypted with it and
    looked up by a keyed hash derived from it.

    From CHILDFIRST_REGISTRY_KEY; a single-machine install without it gets one generated once
    under var/ (chmod 600). Production sets the variable from a secret store, so that a copy of
    the database or of var/ alone reveals no ID number.
    """
    raw = os.environ.get("CHILDFIRST_REGISTRY_KEY")
    if raw is None:
        key_file = VAR_DIR / "registry_key"
        if not key_file.exists():
            key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            key_file.chmod(0o600)
        raw = key_file.read_text().strip()
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("CHILDFIRST_REGISTRY_KEY must be 32 bytes in urlsafe base64 (44 characters)")
    return key


REGISTRY_KEY = _registry_key()
# Exited child files are read-only, then purged this many days after they exit.
REGISTRY_RETENTION_DAYS = envint("CHILDFIRST_REGISTRY_RETENTION_DAYS", 3 * 365, minimum=1)
# Rows of the child-file access log are kept this long, then `registry purge --logs` deletes them.
# Three years, as the files themselves; never less than the six months the Cybersecurity Law
# (网络安全法, art. 21) requires for network logs, which the database enforces as a floor too.
ACCESS_LOG_MIN_RETENTION_DAYS = 180
ACCESS_LOG_RETENTION_DAYS = envint(
    "CHILDFIRST_ACCESS_LOG_RETENTION_DAYS", 3 * 365, minimum=ACCESS_LOG_MIN_RETENTION_DAYS
)
# The longest an approved grant may open an area's child files to an office user.
REGISTRY_GRANT_MAX_DAYS = envint("CHILDFIRST_REGISTRY_GRANT_MAX_DAYS", 30, minimum=1)
# API tokens lapse after this many days at most (the default when none is asked for); a shorter
# life for tokens of roles that read child files (file keepers, the office, departments' users).
API_TOKEN_DAYS = envint("CHILDFIRST_API_TOKEN_DAYS", 90, minimum=1)
API_TOKEN_DAYS_CHILD_FILES = envint("CHILDFIRST_API_TOKEN_DAYS_CHILD_FILES", 30, minimum=1)
ALLOWED_HOSTS = envlist("CHILDFIRST_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CHILDFIRST_CSRF_TRUSTED_ORIGINS", [])

_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'childfirst.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this system understands: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; the timeout waits out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CHILDFIRST_TEST_DATABASE_NAME") or None}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # so the API docs page serves the Swagger UI ninja ships, not one from a CDN
    "childfirst.accounts",
    "childfirst.notifications",
    "childfirst.areas",
    "childfirst.plans",
    "childfirst.collection",
    "childfirst.evaluation",
    "childfirst.implementation",
    "childfirst.reports",
    "childfirst.registry",
    "childfirst.homes",
    "childfirst.linkage",
    "childfirst.web",
    "childfirst.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "childfirst.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "childfirst.accounts.middleware.SessionRenewalMiddleware",
    "childfirst.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "childfirst.accounts.middleware.AccountValidityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the authenticated user and the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "childfirst.urls"
WSGI_APPLICATION = "childfirst.wsgi.application"

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
                "childfirst.web.navigation.navigation",
                "childfirst.web.plan_switcher.plan_switcher",
                "childfirst.notifications.context.unread_notifications",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("CHILDFIRST_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "childfirst.accounts.passwords.CharacterClassValidator"},
]

# Login hardening: lock a username from one address after repeated failures (django-axes), and end
# idle sessions. Locking on the username alone would let anyone lock anyone out by guessing wrong
# five times; the office unlocks on the accounts page (Lockouts).
AXES_FAILURE_LIMIT = envint("CHILDFIRST_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = envint("CHILDFIRST_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

SESSION_COOKIE_AGE = envint("CHILDFIRST_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
# The age above is an idle timeout: SessionRenewalMiddleware renews the session's expiry at most once a
# minute (a tenth of a shorter timeout), rather than a write of the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS: on by default in production — a configured CHILDFIRST_SECRET_KEY, as the README's production
# settings require, and no debug — so a production install is never served over plain HTTP by
# mistake; a single-machine install with a generated key (the demo, `childfirst serve` on a laptop)
# stays on plain HTTP. CHILDFIRST_HTTPS=0/1 overrides, and each setting below can be set on its own.
HTTPS = envbool("CHILDFIRST_HTTPS", not DEBUG and "CHILDFIRST_SECRET_KEY" in os.environ)
SECURE_SSL_REDIRECT = envbool("CHILDFIRST_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = envint("CHILDFIRST_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("CHILDFIRST_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Takes effect only once the domain is submitted to the browsers' preload list.
SECURE_HSTS_PRELOAD = envbool("CHILDFIRST_HSTS_PRELOAD", HTTPS)
SECURE_COOKIES = envbool("CHILDFIRST_SECURE_COOKIES", HTTPS)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# Behind a reverse proxy that ends TLS: the header it sets to "https" (e.g. X-Forwarded-Proto), so
# that the redirect above does not loop. The proxy must overwrite any such header from the client.
_proxy_ssl_header = os.environ.get("CHILDFIRST_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    if not _proxy_ssl_header.replace("-", "").replace("_", "").isalnum():
        raise ImproperlyConfigured(f"CHILDFIRST_PROXY_SSL_HEADER={_proxy_ssl_header!r} is not a header name")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent on every response (childfirst.web.middleware.ContentSecurityPolicyMiddleware). Every script
# and style sheet is a static file (htmx and ECharts are vendored), so nothing inline is allowed;
# scripts may still set element styles through the DOM. data: images are ECharts' and Swagger's icons.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("CHILDFIRST_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package too, so `serve` needs no collectstatic step

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Excel uploads: refused above this size, or if the zip inside would unpack beyond the second limit.
EXCEL_UPLOAD_MAX_BYTES = envint("CHILDFIRST_EXCEL_MAX_MB", 10, minimum=1) * 2**20
# Attachments of section 四 (implementation reports, responses, good practices): refused above this size.
ATTACHMENT_MAX_BYTES = envint("CHILDFIRST_ATTACHMENT_MAX_MB", 10, minimum=1) * 2**20
EXCEL_MAX_UNCOMPRESSED_BYTES = envint("CHILDFIRST_EXCEL_MAX_UNPACKED_MB", 50, minimum=1) * 2**20
# Sheet protection guards against slips of the hand, not attackers (anyone can remove it).
EXCEL_TEMPLATE_PASSWORD = os.environ.get("CHILDFIRST_EXCEL_TEMPLATE_PASSWORD", "childfirst")
# A department's entry page posts every indicator × street × field at once (health: ~4,000 fields).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# The number a mandatory report's receipt gives to call about the report (the district's hotline for
# child protection). Empty: the receipt says the street's child supervisor will call the reporter.
REPORT_HOTLINE = os.environ.get("CHILDFIRST_REPORT_HOTLINE", "").strip()
if REPORT_HOTLINE and not re.fullmatch(r"\+?[0-9][0-9 ()-]{2,24}", REPORT_HOTLINE):
    raise ImproperlyConfigured(
        f"CHILDFIRST_REPORT_HOTLINE={REPORT_HOTLINE!r} is not a phone number (digits, spaces, hyphens, brackets)"
    )

# Reminders to departments. The demo prints mail on the console; production names an SMTP server.
EMAIL_BACKEND = os.environ.get("CHILDFIRST_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("CHILDFIRST_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("CHILDFIRST_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("CHILDFIRST_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CHILDFIRST_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("CHILDFIRST_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CHILDFIRST_EMAIL_FROM", "childfirst@localhost")
# Notifications (the in-app inbox) are also mailed to users with an address when this is on; the
# mail links back to the site at NOTIFY_SITE_URL. Reporters hear of a round's deadline this many
# days before it (`childfirst collection_deadline_notices`, daily).
NOTIFY_EMAIL = envbool("CHILDFIRST_NOTIFY_EMAIL", False)
NOTIFY_SITE_URL = os.environ.get("CHILDFIRST_SITE_URL", "http://localhost:8000")
DEADLINE_NEAR_DAYS = envint("CHILDFIRST_DEADLINE_NEAR_DAYS", 7, minimum=1)

# Long jobs (report generation, registry imports) run in huey workers that `childfirst serve` starts
# beside the web server. Storage: SQLite under var/ by default, Redis when CHILDFIRST_REDIS_URL is set.
# CHILDFIRST_TASKS_IMMEDIATE runs them inside the calling process (the tests).
_redis_url = os.environ.get("CHILDFIRST_REDIS_URL")
HUEY = {
    "name": "childfirst",
    "immediate": envbool("CHILDFIRST_TASKS_IMMEDIATE", False),
    "results": True,
    # An idle worker looks for work every second (a cheap query), so a requested report starts at once.
    "consumer": {"workers": envint("CHILDFIRST_TASK_WORKERS", 1, minimum=1), "worker_type": "thread", "max_delay": 1.0},
}
if _redis_url:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": _redis_url}
    # One cache for every process, so that counters (the public report form's rate limit) and the
    # cached evaluations hold across web workers. Without Redis, `serve` is one process and its
    # memory cache is enough.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}
# A report job with no progress for this long has lost its worker and is shown as failed; so is one
# that no worker has taken up within the queue timeout.
REPORT_JOB_TIMEOUT_MINUTES = envint("CHILDFIRST_REPORT_JOB_TIMEOUT_MINUTES", 10, minimum=1)
REPORT_QUEUE_TIMEOUT_MINUTES = envint("CHILDFIRST_REPORT_QUEUE_TIMEOUT_MINUTES", 60, minimum=1)
# Generated reports and other files kept by the app.
MEDIA_ROOT = VAR_DIR / "files"
# Retention of stored documents (`childfirst cleanup`): the files of the newest N generations of each
# report (kind × published evaluation version) are kept, older ones dropped; an import's original file
# is dropped this many days after its round was closed (the import's record and checksum stay).
REPORT_KEEP_GENERATIONS = envint("CHILDFIRST_REPORT_KEEP_GENERATIONS", 3, minimum=1)
IMPORT_ORIGINAL_DAYS = envint("CHILDFIRST_IMPORT_ORIGINAL_DAYS", 365, minimum=0)

# Department lists (linkage): an uploaded list is refused above this size, or if its workbook would
# unpack beyond the second limit (a district's 户籍 list of a few hundred thousand children is well
# under both). The uploaded file is dropped once its import has ended unless KEEP_FILES is on (the
# records stay, encrypted, until their source's retention); a compared pair's files and result
# workbook are kept PAIR_KEEP_DAYS, then `linkage purge` drops them.
LINKAGE_UPLOAD_MAX_BYTES = envint("CHILDFIRST_LINKAGE_MAX_MB", 200, minimum=1) * 2**20
LINKAGE_MAX_UNPACKED_BYTES = envint("CHILDFIRST_LINKAGE_MAX_UNPACKED_MB", 2000, minimum=1) * 2**20
LINKAGE_KEEP_FILES = envbool("CHILDFIRST_LINKAGE_KEEP_FILES", False)
LINKAGE_PAIR_KEEP_DAYS = envint("CHILDFIRST_LINKAGE_PAIR_KEEP_DAYS", 7, minimum=1)

# Logs carry no personal data: the audit log lives in the database, logs only say what failed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHILDFIRST_LOG_LEVEL", "INFO")},
    # The worker (`run_huey`) adds its own handler to "huey" unless it has one: give it ours, once.
    "loggers": {
        "axes": {"level": "WARNING"},
        "huey": {"handlers": ["console"], "propagate": False},
        "fontTools": {"level": "WARNING"},
    },
}
