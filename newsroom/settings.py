"""Settings for Newsroom.

One settings module for every machine: each difference between a laptop and production is an
environment variable with a safe local default (see the README's table).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name: str, default, kind=int):
    """A numeric variable; a value that is no number names the variable instead of a bare
    ValueError."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name} must be {what}, not {value!r}.") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, not {value!r}.")
    return number


def site_origin(url: str) -> str:
    """SITE_URL as scheme://host[:port], with no path, query or trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"SITE_URL must be like https://news.example, not {url!r}.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"SITE_URL is an origin, without a path: not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local work).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
# The site's public origin. Every absolute URL the site prints (canonical links, OpenGraph,
# feeds and their Atom ids, sitemaps, JSON-LD, robots.txt) starts with it, whatever Host or
# X-Forwarded-Proto a request carries, so one story has one address.
SITE_URL = site_origin(os.environ.get("SITE_URL") or "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "django_filters",
    "reversion",
    "django_prose_editor",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "articles",
    # After articles: its page cache is wired before the comments' own tokens.
    "comments",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that renders or sets cookies, so that it sees the final response.
    "newsroom.compression.CompressionMiddleware",
    # Before anything that may answer, so that every API response carries the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page not found answers with the redirect or "410 Gone" recorded for its old address.
    "articles.redirects.middleware.RedirectFallbackMiddleware",
    # Fronts and banners whose scheduled time has passed take their cached pages out first.
    "articles.fronts.freshness.ScheduledChangesMiddleware",
    # Before the page cache, so that cached API responses count against the limit too.
    "api.throttling.ApiRateLimitMiddleware",
    # Last, so that a page served from the cache still passes through everything above.
    "articles.caching.PageCacheMiddleware",
    # Innermost, so that it sees the views' exceptions first.
    "newsroom.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.context_processors.site_name",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_number("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail a request quickly while the database is unreachable instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_number("DB_CONNECT_TIMEOUT", 5)
    )
    # Behind a pooler in transaction mode (PgBouncer), a cursor cannot outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_TRANSACTION_POOLER", False)


def cache_config(url: str) -> dict:
    """CACHE_URL as a Django cache: redis://, rediss:// or unix:// (Redis), file:///folder,
    locmem://, dummy://; empty means files under the project's .cache/ folder."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            # Django's own RedisCache, made to treat a Redis outage as cache misses.
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": env_number("CACHE_SOCKET_TIMEOUT", 0.5, float),
                "socket_timeout": env_number("CACHE_SOCKET_TIMEOUT", 0.5, float),
                "RETRY_AFTER": env_number("CACHE_RETRY_AFTER", 5.0, float),
            },
        }
    if url == "" or url.startswith("file://"):
        # Without Redis: files every worker of this machine shares, so a change reaches all
        # of them at once (a per-process cache would keep old pages on the other workers).
        folder = url.removeprefix("file://") or str(BASE_DIR / ".cache")
        return {
            "BACKEND": "newsroom.file_cache.FileCache",
            "LOCATION": folder,
            "OPTIONS": {"MAX_ENTRIES": env_number("CACHE_MAX_ENTRIES", 20_000)},
        }
    if url.startswith("locmem://"):
        # One process only (tests, a single runserver): check --deploy warns about it.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL: unsupported cache {url.split(':')[0]!r}.")


CACHES = {
    "default": {
        **cache_config(os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")),
        # Several sites (or a staging copy) can share one Redis without seeing each other's keys.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
    }
}
# How long a cached page may live; invalidation usually replaces it sooner. 0 turns page
# caching off (conditional GET still works).
PAGE_CACHE_SECONDS = env_number("PAGE_CACHE_SECONDS", 300)
# Article views are counted in the cache; a worker writes the views it counted to the database
# after a response once the oldest is this many seconds old (articles/view_counts.py).
VIEW_COUNT_FLUSH_SECONDS = env_number("VIEW_COUNT_FLUSH_SECONDS", 10, float)
# Cached pages are kept per release; by default a hash of the code and templates, so a deploy
# never serves pages rendered by the previous one.
PAGE_CACHE_RELEASE = os.environ.get("CACHE_RELEASE", "")
# New search result pages one client address may add to the page cache (N/s, /min, /hour);
# past it, its searches are answered uncached. Empty: no limit.
SEARCH_CACHE_FILLS = os.environ.get("SEARCH_CACHE_FILLS", "30/min") or None
# What a CDN or Varnish in front may do with a public page (s-maxage, stale-while-revalidate):
# keep it this many seconds without asking, then serve it stale this many more while it
# fetches a fresh copy. A change reaches readers behind it within their sum. CDN_MAX_AGE=0:
# no shared cache may keep a page without asking (must-revalidate).
CDN_MAX_AGE = env_number("CDN_MAX_AGE", 60)
CDN_STALE_WHILE_REVALIDATE = env_number("CDN_STALE_WHILE_REVALIDATE", 300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves collected files (collectstatic) with hashed names, brotli and gzip
        # copies and far-future cache headers; development and tests read the app folders directly.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Media in an S3-compatible bucket (AWS, MinIO, R2...) when a bucket is named; the credentials
# come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, read by boto3.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
MEDIA_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "location": os.environ.get("AWS_LOCATION", "media"),
        # Public images get plain, cacheable URLs; set 1 for a private bucket (signed URLs).
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
    if _s3["custom_domain"]:
        MEDIA_ORIGINS = [f"https://{_s3['custom_domain']}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        # Path-style (endpoint/bucket/...) or virtual-hosted (bucket.endpoint/...) URLs.
        MEDIA_ORIGINS = [
            f"{_endpoint.scheme}://{_endpoint.netloc}",
            f"{_endpoint.scheme}://*.{_endpoint.netloc}",
        ]
    else:
        # AWS itself: the bucket's own host names, not all of amazonaws.com.
        MEDIA_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if _s3["region_name"]:
            MEDIA_ORIGINS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_s3['region_name']}.amazonaws.com"
            )

# Local media are served by the site itself (newsroom/media.py), in production too; 0 when a
# proxy in front serves MEDIA_ROOT. MEDIA_ACCEL_REDIRECT (e.g. "/protected-media/") lets nginx
# send the files: the site answers with X-Accel-Redirect to that internal location.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: refuse huge request bodies before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Photos (articles/images.py): the largest file and the most pixels an upload may have. The pixel
# limit is checked from the header before any decoding, so a decompression bomb is never loaded.
NEWSROOM_IMAGE_MAX_BYTES = env_number("IMAGE_MAX_BYTES", 20 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_number("IMAGE_MAX_PIXELS", 50_000_000)
# Imports (articles/importers/files.py): the largest page or sidecar file read, checked before
# reading. Real article pages are tens of kilobytes.
NEWSROOM_IMPORT_MAX_BYTES = env_number("IMPORT_MAX_BYTES", 4 * 1024 * 1024)

# Production security. Every switch follows DEBUG and can be set on its own.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Behind a proxy that terminates TLS: the header it sets and its value for HTTPS, e.g.
# "HTTP_X_FORWARDED_PROTO,https"; Django then sees those requests as secure (no redirect loop).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(env_list("SECURE_PROXY_SSL_HEADER", ""))
    if len(SECURE_PROXY_SSL_HEADER) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER is 'HTTP_HEADER_NAME,value'.")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "strict-origin-when-cross-origin")
X_FRAME_OPTIONS = "DENY"

# Only the site's own scripts, styles and images (plus the media bucket, when there is one).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", *MEDIA_ORIGINS, *env_list("CSP_IMG_SRC", "")],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY["upgrade-insecure-requests"] = []
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# Reader comments (comments/, django-contrib-comments): see the README's "Reader comments".
COMMENTS_MAX_LENGTH = int(os.environ.get("COMMENTS_MAX_LENGTH", "300"))
# Every comment waits for an editor, but those of trusted commenters; 0 publishes at once.
COMMENTS_PREMODERATION = env_bool("COMMENTS_PREMODERATION", True)
# New comments are refused this many days after publication (0: never), unless an editor
# opens or closes an article's comments themselves.
COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("COMMENTS_CLOSE_AFTER_DAYS", "30"))
COMMENTS_RATE_LIMIT = int(os.environ.get("COMMENTS_RATE_LIMIT", "5"))  # comments per address
COMMENTS_RATE_WINDOW = int(os.environ.get("COMMENTS_RATE_WINDOW", "600"))  # seconds
COMMENTS_MIN_SECONDS = int(os.environ.get("COMMENTS_MIN_SECONDS", "3"))  # faster is a robot
COMMENTS_MAX_LINKS = int(os.environ.get("COMMENTS_MAX_LINKS", "2"))
COMMENTS_LINKIFY = env_bool("COMMENTS_LINKIFY", False)
# Behind a proxy: the META name of the header carrying the reader's address (HTTP_X_REAL_IP).
COMMENTS_IP_HEADER = os.environ.get("COMMENTS_IP_HEADER", "")
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
# django-contrib-comments refuses a form handed out longer ago than this (seconds).
COMMENTS_TIMEOUT = 24 * 3600

# Editorial identity used in page metadata and sign-offs.
NEWSROOM_SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The public API (api/) ------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Read-only and public: no sessions, no CSRF, JSON only (one representation per URL, so the
    # page cache never serves HTML to a JSON client or the reverse).
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Behind N proxies that append to X-Forwarded-For, the client is the Nth address from the end;
    # with 0 the connecting address counts and a client cannot choose its own by that header.
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES") or 0),
}
# Requests per address, e.g. "120/min" (s, min, hour, day); empty turns the limit off.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100

SPECTACULAR_SETTINGS = {
    "TITLE": f"{NEWSROOM_SITE_NAME} content API",
    "DESCRIPTION": "Published stories, sections, authors and tags, read-only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the site's own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
}

# Any site may read the API from a browser; it only answers GET (and the preflight).
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "X-Page-Cache")

# Webhooks (webhooks/) ------------------------------------------------------------------------
# Endpoints on private, loopback or link-local addresses are refused (server-side request
# forgery); tests and closed networks may allow them.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Seconds to wait before each retry of a failed delivery; after the last, it is given up.
WEBHOOKS_RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 36000]
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
