"""``check --deploy`` warnings for settings that would serve stale or misaddressed pages."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Tags, Warning, register
from django.urls import reverse

from articles.caching.policy import page_cache_enabled


@register(Tags.caches, deploy=True)
def page_cache_is_shared(app_configs=None, **kwargs):
    if not page_cache_enabled():
        return []
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return [
            Warning(
                "The page cache is in each process's memory: with several workers, a change "
                "reaches one worker and the others serve the old page for up to "
                f"PAGE_CACHE_SECONDS ({settings.PAGE_CACHE_SECONDS} s).",
                hint="Set CACHE_URL=redis://... (or leave it empty for the shared file cache).",
                id="newsroom.W001",
            )
        ]
    if isinstance(backend, FileBasedCache):
        return [
            Warning(
                "The page cache is in files on this machine: every worker here shares it, but "
                "a second server would serve old pages after a change made through the first.",
                hint="With more than one server set CACHE_URL=redis://...; with one, add "
                "'newsroom.W002' to SILENCED_SYSTEM_CHECKS.",
                id="newsroom.W002",
            )
        ]
    return []


DEVELOPMENT_ORIGINS = ("http://127.0.0.1", "http://localhost")


@register(Tags.urls, deploy=True)
def site_url_is_public(app_configs=None, **kwargs):
    if not settings.SITE_URL.startswith(DEVELOPMENT_ORIGINS):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: feeds, sitemaps, canonical links and link "
            f"previews would point readers and search engines there (e.g. "
            f"{settings.SITE_URL}{reverse('articles:home')}).",
            hint="Set SITE_URL to the public origin, e.g. https://news.example.",
            id="newsroom.W003",
        )
    ]
