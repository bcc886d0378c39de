"""Settings from the environment, production security, headers and static files."""

import os
import runpy
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from storages.backends.s3 import S3Storage

from tests.conftest import PROJECT_DIR

SETTINGS_FILE = PROJECT_DIR / "newsroom" / "settings.py"
STRONG_KEY = "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3

# Every variable the settings read, so a test sees only what it sets.
VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_S3_REGION_NAME",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_PRELOAD",
    "CSP_IMG_SRC",
    "CSP_REPORT_ONLY",
    "SITE_URL",
    "PAGE_CACHE_SECONDS",
    "VIEW_COUNT_FLUSH_SECONDS",
    "CACHE_RETRY_AFTER",
    "IMAGE_MAX_BYTES",
    "SECURE_HSTS_SECONDS",
    "DB_CONN_MAX_AGE",
]


def settings_with(monkeypatch, **env):
    """The settings module's values for this environment, read without reconfiguring Django."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def production(monkeypatch, **env):
    return settings_with(monkeypatch, DEBUG="0", SECRET_KEY=STRONG_KEY, **env)


def test_defaults_are_local(monkeypatch):
    """With nothing set: debug, SQLite, a file cache every worker shares, local media, no HTTPS."""
    values = settings_with(monkeypatch)
    assert values["DEBUG"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["CACHES"]["default"]["BACKEND"] == "newsroom.file_cache.FileCache"
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert not values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] == 0


def test_production_needs_a_secret_key(monkeypatch):
    """DEBUG=0 without SECRET_KEY refuses to start."""
    with pytest.raises(ImproperlyConfigured):
        settings_with(monkeypatch, DEBUG="0")


def test_production_turns_every_security_switch_on(monkeypatch):
    """HTTPS redirect, secure cookies, a year of HSTS, manifest static files."""
    values = production(monkeypatch)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith(
        "CompressedManifestStaticFilesStorage"
    )
    assert "upgrade-insecure-requests" in values["CONTENT_SECURITY_POLICY"]


def test_behind_a_tls_proxy(monkeypatch):
    """The proxy's header marks requests secure; the redirect can be left to the proxy."""
    values = production(
        monkeypatch,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        SECURE_SSL_REDIRECT="0",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_SSL_REDIRECT"] is False


def test_malformed_proxy_header_is_refused(monkeypatch):
    """A proxy header without its value is a clear configuration error."""
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        production(monkeypatch, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")


def test_check_deploy_reports_nothing():
    """`manage.py check --deploy` with production settings finds no issue."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES and not key.startswith(("SECURE_", "CSP_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="news.example",
        SITE_URL="https://news.example",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"CACHE_URL": "redis://cache.internal:6379/1"}, "newsroom.cache.ResilientRedisCache"),
        ({"REDIS_URL": "redis://cache.internal:6379/2"}, "newsroom.cache.ResilientRedisCache"),
        ({"CACHE_URL": "dummy://"}, "django.core.cache.backends.dummy.DummyCache"),
        ({"CACHE_URL": "locmem://"}, "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_cache_url(monkeypatch, env, backend):
    """CACHE_URL (or REDIS_URL) picks Redis, no cache at all or local memory."""
    cache = settings_with(monkeypatch, **env)["CACHES"]["default"]
    assert cache["BACKEND"] == backend
    if "redis" in backend.lower():
        assert cache["LOCATION"] == next(iter(env.values()))
        assert cache["OPTIONS"]["socket_connect_timeout"] <= 1


def test_cache_url_wins_over_redis_url(monkeypatch):
    """When both are set, CACHE_URL is the one used."""
    cache = settings_with(monkeypatch, CACHE_URL="dummy://", REDIS_URL="redis://x:6379/0")
    assert cache["CACHES"]["default"]["BACKEND"].endswith("DummyCache")


def test_unknown_cache_is_refused(monkeypatch):
    """A typo in CACHE_URL is a clear error at start-up, not a silent local cache."""
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        settings_with(monkeypatch, CACHE_URL="memcache://x")


def test_s3_media_storage(monkeypatch):
    """A bucket name moves media to S3 (django-storages), with plain URLs and a CSP entry."""
    values = settings_with(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_S3_CUSTOM_DOMAIN="media.news.example",
    )
    storage = values["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    s3 = S3Storage(**storage["OPTIONS"])
    assert s3.url("images/2024/11/harbour.jpg") == (
        "https://media.news.example/media/images/2024/11/harbour.jpg"
    )
    assert "https://media.news.example" in values["CONTENT_SECURITY_POLICY"]["img-src"]


def test_s3_compatible_endpoint_is_allowed_by_the_policy(monkeypatch):
    """A MinIO-style endpoint's origin is added to img-src, and nothing else is."""
    values = settings_with(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_ENDPOINT_URL="https://objects.news.example:9000",
    )
    assert values["CONTENT_SECURITY_POLICY"]["img-src"] == [
        "'self'",
        "https://objects.news.example:9000",
        "https://*.objects.news.example:9000",
    ]


def test_aws_bucket_is_allowed_by_name_only(monkeypatch):
    """On AWS the policy names the bucket's hosts, never all of amazonaws.com."""
    values = settings_with(
        monkeypatch, AWS_STORAGE_BUCKET_NAME="newsroom-media", AWS_S3_REGION_NAME="eu-west-1"
    )
    assert values["CONTENT_SECURITY_POLICY"]["img-src"] == [
        "'self'",
        "https://newsroom-media.s3.amazonaws.com",
        "https://newsroom-media.s3.eu-west-1.amazonaws.com",
    ]


# --- Headers on real responses ---------------------------------------------------------------


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    """CSP with only the site's own resources, nosniff, a referrer policy, frame denial."""
    response = client.get(reverse("articles:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "*" not in csp.replace("*.", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_admin_policy_allows_only_the_editors_import_map(admin_client):
    """The admin's policy names the body editor's import map by hash, never inline scripts."""
    import base64
    import hashlib
    import re

    response = admin_client.get(reverse("admin:articles_article_add"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    importmap = re.search(
        r'<script type="importmap">(.*?)</script>', response.content.decode(), re.DOTALL
    ).group(1)
    digest = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_reader_pages_do_not_get_the_admin_policy(client):
    """Only /admin/ carries the editor's allowances."""
    csp = client.get(reverse("articles:home"))["Content-Security-Policy"]
    assert "sha256-" not in csp and "unsafe-inline" not in csp


@pytest.mark.django_db
def test_csp_report_only_mode(client, settings):
    """CSP_REPORT_ONLY sends the policy as Report-Only, for trying a change on live traffic."""
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    response = client.get(reverse("articles:home"))
    assert "Content-Security-Policy" not in response
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]


@pytest.mark.django_db
def test_hsts_and_https_redirect_in_production(client, settings):
    """Plain HTTP is redirected to HTTPS; HTTPS responses carry HSTS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("articles:home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get(reverse("articles:home"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_static_files_are_hashed_compressed_and_cached_forever(client, settings, tmp_path):
    """collectstatic writes hashed, gzipped files; pages link them; WhiteNoise serves them
    with far-future cache headers."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = [p for p in (tmp_path / "articles").glob("site.*.css")]
    assert len(hashed) == 1
    assert hashed[0].with_name(hashed[0].name + ".gz").is_file()

    html = client.get(reverse("articles:home")).content.decode()
    url = f"/static/articles/{hashed[0].name}"
    assert f'href="{url}"' in html
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]


# --- The page cache is correct with several workers; check --deploy says where it is not ------


def deploy_check(**env) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES and not key.startswith(("SECURE_", "CSP_"))
    }
    base.update(
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="news.example",
        SITE_URL="https://news.example",
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_default_cache_is_shared_by_every_worker(monkeypatch, tmp_path):
    """With no CACHE_URL the cache is files every worker process reads and writes."""
    cache = settings_with(monkeypatch)["CACHES"]["default"]
    assert cache["BACKEND"] == "newsroom.file_cache.FileCache"
    folder = settings_with(monkeypatch, CACHE_URL=f"file://{tmp_path}")["CACHES"]["default"]
    assert folder["LOCATION"] == str(tmp_path)


def test_a_change_reaches_another_worker_with_the_default_cache(tmp_path):
    """Two worker processes on the default cache: one caches a page, the other unpublishes the
    story, and the first serves the change at once."""
    script = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
import django; django.setup()
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from articles.models import Article
step = sys.argv[1]
if step == "setup":
    call_command("migrate", verbosity=0)
    Article.objects.create(headline="Shared story", slug="shared-story", body="<p>Text.</p>",
                           status="published", published_at=timezone.now())
client = Client()
if step in ("setup", "read"):
    response = client.get("/")
    print(response["X-Page-Cache"], "Shared story" in response.content.decode())
if step == "unpublish":
    story = Article.objects.get(slug="shared-story")
    story.status = "draft"
    story.save()
"""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES and key not in ("CACHE_URL", "REDIS_URL")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["CACHE_URL"] = f"file://{tmp_path / 'cache'}"

    def worker(step):
        result = subprocess.run(
            [sys.executable, "-c", script, step],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert worker("setup") == ["miss", "True"]
    assert worker("read") == ["hit", "True"]
    worker("unpublish")
    assert worker("read") == ["miss", "False"]


@pytest.mark.parametrize(
    ("cache_url", "warning"),
    [
        ("locmem://", "newsroom.W001"),
        ("", "newsroom.W002"),
        (f"file:///{'tmp'}/x", "newsroom.W002"),
    ],
)
def test_check_deploy_warns_where_pages_would_go_stale(cache_url, warning):
    """A per-process cache, or one that several servers cannot share, is named by check --deploy."""
    result = deploy_check(CACHE_URL=cache_url)
    assert result.returncode != 0
    assert warning in result.stderr


def test_check_deploy_warns_about_a_development_site_url():
    """Production with SITE_URL left at its development default is named by check --deploy."""
    result = deploy_check(SITE_URL="", REDIS_URL="redis://cache.internal:6379/0")
    assert "newsroom.W003" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAGE_CACHE_SECONDS", "abc"),
        ("PAGE_CACHE_SECONDS", "-5"),
        ("CACHE_RETRY_AFTER", "soon"),
        ("IMAGE_MAX_BYTES", "20MB"),
        ("SECURE_HSTS_SECONDS", "1 year"),
        ("DB_CONN_MAX_AGE", "1.5"),
    ],
)
def test_a_number_setting_names_itself_when_it_is_not_one(monkeypatch, name, value):
    """PAGE_CACHE_SECONDS=abc is refused with the variable's name, not a bare ValueError."""
    with pytest.raises(ImproperlyConfigured, match=name):
        settings_with(monkeypatch, CACHE_URL="redis://cache.internal:6379/0", **{name: value})


@pytest.mark.parametrize(
    ("value", "origin"),
    [("https://news.example/", "https://news.example"), ("http://[::1]:8000", "http://[::1]:8000")],
)
def test_site_url_is_an_origin(monkeypatch, value, origin):
    """SITE_URL is kept as scheme://host[:port]."""
    assert settings_with(monkeypatch, SITE_URL=value)["SITE_URL"] == origin


@pytest.mark.parametrize("value", ["news.example", "ftp://news.example", "https://news.example/x"])
def test_a_malformed_site_url_is_refused(monkeypatch, value):
    """A SITE_URL that is no origin is a clear error at start-up."""
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        settings_with(monkeypatch, SITE_URL=value)
