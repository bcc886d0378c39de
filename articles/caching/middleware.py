"""The page cache's middleware: serves a stored page while nothing it showed has changed."""

from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe
from rest_framework.throttling import SimpleRateThrottle

from articles import view_counts
from articles.caching.dependencies import Shown, collect, stop_collecting
from articles.caching.policy import (
    CACHED_PAGES,
    CachePolicy,
    page_cache_enabled,
    page_key,
    page_params,
)
from articles.caching.versions import (
    GENERATION,
    delayed,
    new_version,
    next_publication,
    replay_if_due,
    version_key,
    watch_delays,
)
from articles.models import Article
from articles.templatetags.articles_tags import VIEW_COUNT_SLOT, render_view_count

logger = logging.getLogger(__name__)


# Headers a view sets that a cached copy must carry too (a sitemap's date and its robots rule).
KEPT_HEADERS = ("Last-Modified", "X-Robots-Tag")

DELAYED_MESSAGE = (
    "Saved. The page cache could not be reached just now, so readers may see the previous "
    "version for a few more seconds; the change is kept and retried until they see it."
)


@dataclasses.dataclass
class _Pending:
    """What the middleware knows about a request to a cacheable page, until its response."""

    policy: CachePolicy
    key: str | None = None  # None: not stored
    generation: int | None = None
    private: bool = False
    collected: Shown | None = None
    reset: contextvars.Token | None = None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Changes the cache could not be told of earlier (a Redis blip) are retried here.
        replay_if_due()
        watching = watch_delays()
        try:
            response = self.get_response(request)
        finally:
            pending = request.__dict__.pop("_page_cache", None)
            if pending is not None and pending.reset is not None:
                stop_collecting(pending.reset)
            if delayed(watching) and hasattr(request, "_messages"):
                messages.warning(request, DELAYED_MESSAGE)
        if pending is None:
            return response
        return _finish(request, response, pending)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        policy = CACHED_PAGES.get(match.view_name) if match else None
        if policy is None or request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # A signed-in editor may see previews and must see their own edits at once.
            request._page_cache = _Pending(policy, private=True)
            return None
        if not page_cache_enabled():
            request._page_cache = _Pending(policy)
            return None
        key = page_key(request, policy)
        # The versions this page depended on last time this process served it come in the same
        # round trip, so a hit usually costs one.
        known = _known_dependencies.get(key, ())
        found = cache.get_many([key, GENERATION, *known])
        entry = found.get(key)
        if entry is not None:
            response = _serve(request, key, entry, found, known, policy)
            if response is not None:
                return response
        pending = _Pending(policy, key=key, generation=found.get(GENERATION))
        pending.collected, pending.reset = collect()
        request._page_cache = pending
        return None


class _KnownDependencies:
    """Per process: the version keys each cached page depended on, most recent pages kept."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._keys: dict[str, tuple[str, ...]] = {}

    def get(self, page: str, default=()):
        return self._keys.get(page, default)

    def remember(self, page: str, keys: tuple[str, ...]) -> None:
        self._keys.pop(page, None)
        self._keys[page] = keys
        if len(self._keys) > self.size:
            try:
                self._keys.pop(next(iter(self._keys)))
            except (RuntimeError, StopIteration, KeyError):
                pass  # another thread changed it meanwhile; the next call trims


_known_dependencies = _KnownDependencies()


def _serve(
    request, key: str, entry: dict, found: dict, known: tuple[str, ...], policy: CachePolicy
) -> HttpResponse | None:
    """The cached page, if everything it showed is unchanged; None sends the request on.

    ``found`` holds the version keys ``known`` named when it was read; another thread may have
    learnt this page's keys since, so the keys read are compared, not the latest known.
    """
    expires = entry.get("expires")
    if expires is not None and timezone.now() >= expires:
        return None  # a story went live or a photo's licence ended: the page changed by itself
    versions = entry["versions"]
    keys = tuple(version_key(token) for token in versions)
    if known == keys:
        current = found
    else:
        current = cache.get_many(keys)
        _known_dependencies.remember(key, keys)
    if any(current.get(version_key(token)) != version for token, version in versions.items()):
        return None
    if entry["count"] is None:
        content = entry["content"]
    else:
        try:
            # A HEAD request reads nothing: it is not counted. A GET is counted in the cache,
            # usually with no database query (articles.view_counts).
            views = (
                view_counts.count_view(entry["count"])
                if request.method == "GET"
                else entry.get("views")
            )
        except DatabaseError as error:
            # The story can still be read while the database is away; this view goes uncounted.
            logger.warning("View not counted, database unavailable: %s", error)
            views = entry.get("views")
        if views is None:  # unpublished or deleted a moment ago: let the view answer
            return None
        before, after = entry["content"]
        content = before + render_view_count(views).encode() + after
    kept = entry.get("headers", {})
    response = get_conditional_response(
        request, etag=entry["etag"], last_modified=_last_modified(kept)
    )
    if response is None:
        response = HttpResponse(content, content_type=entry["content_type"])
    for name, value in kept.items():
        response[name] = value
    _public_headers(response, entry["etag"], "hit", policy)
    return response


def _finish(request, response, pending: _Pending):
    # Whoever holds a session cookie gets another page: say so on every answer.
    patch_vary_headers(response, ["Cookie"])
    if pending.private:
        patch_cache_control(response, private=True)
        response["X-Page-Cache"] = "bypass"
        return response
    if response.status_code != 200 or response.streaming or response.cookies:
        return response
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
        "Cache-Control", ""
    ):
        return response
    content = response.content
    parts = None
    stable = content
    if pending.policy.count_views:
        text = content.decode(response.charset)
        slot = VIEW_COUNT_SLOT.search(text)
        if slot is None:
            return response
        parts = (
            text[: slot.start()].encode(response.charset),
            text[slot.end() :].encode(response.charset),
        )
        # The count changes on every view; the ETag is about everything else.
        stable = parts[0] + b"<!--views-->" + parts[1]
    etag = f'W/"{hashlib.md5(stable, usedforsecurity=False).hexdigest()}"'
    try:
        stored = pending.key is not None and _store(
            request, response, pending, etag, content, parts
        )
    except DatabaseError as error:  # the page was rendered; only storing it needed the database
        logger.warning("Page not cached, database unavailable: %s", error)
        stored = False
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=_last_modified(response), response=response
    )
    if not_modified is not None:
        response = not_modified
    _public_headers(response, etag, "miss" if stored else "pass", pending.policy)
    return response


def _store(request, response, pending: _Pending, etag: str, content: bytes, parts) -> bool:
    now = timezone.now()
    shown = Shown(now)
    context = getattr(response, "context_data", None)
    collected = pending.collected
    if context is None and not (collected and collected.tokens) and not pending.policy.lists:
        return False  # nothing says what the page shows: it could never be invalidated
    shown.visit(context)
    if collected is not None:
        shown.merge(collected)
    if pending.policy.count_views:
        article = (context or {}).get("object")
        if not isinstance(article, Article) or not article.is_published():
            return False
    if pending.policy.limit_fills and not _may_fill(request):
        return False
    tokens = shown.tokens | pending.policy.list_tokens(
        request.resolver_match.kwargs, dict(page_params(request, pending.policy))
    )
    until = shown.until
    if pending.policy.lists:
        upcoming = next_publication()
        if upcoming is not None and (until is None or upcoming < until):
            until = upcoming
    timeout = settings.PAGE_CACHE_SECONDS
    if until is not None:
        timeout = min(timeout, int((until - now).total_seconds()))
    if timeout < 1:
        return False

    keys = [version_key(token) for token in sorted(tokens)]
    versions = cache.get_many([GENERATION, *keys])
    if versions.get(GENERATION) != pending.generation:
        return False  # something changed while the page was rendered
    missing = {key: new_version() for key in keys if key not in versions}
    if missing:
        if cache.set_many(missing, timeout=None):
            return False
        versions.update(missing)
        if cache.get(GENERATION) != pending.generation:
            return False
    entry = {
        "versions": {token: versions[version_key(token)] for token in tokens},
        "content": parts if parts is not None else content,
        "count": article.pk if pending.policy.count_views else None,
        "views": article.view_count if pending.policy.count_views else None,
        "etag": etag,
        "content_type": response["Content-Type"],
        "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        # Checked on each hit as well as given as the timeout: the cache's clock may not be ours.
        "expires": until,
    }
    cache.set(pending.key, entry, timeout)
    return True


class _FillThrottle(SimpleRateThrottle):
    """New pages one client address stored lately (DRF's sliding window, in the cache)."""

    scope = "page-cache-fills"

    def get_rate(self):
        return settings.SEARCH_CACHE_FILLS

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _may_fill(request) -> bool:
    if not settings.SEARCH_CACHE_FILLS:
        return True
    return _FillThrottle().allow_request(request, None)


def _last_modified(headers) -> int | None:
    return parse_http_date_safe(headers.get("Last-Modified") or "")


def _public_headers(response, etag: str, outcome: str, policy: CachePolicy) -> None:
    response["ETag"] = etag
    # Browsers ask again each time (a conditional GET, answered 304 while nothing changed).
    # A shared cache in front (a CDN, Varnish) may serve the page for CDN_MAX_AGE seconds
    # and, while it refreshes it, CDN_STALE_WHILE_REVALIDATE more; never a page it could not
    # be told to purge (endless search variants), which every cache must revalidate. (Not
    # "private": that would also mark the page as one reader's, and leave it uncompressed.)
    if not policy.shared:
        patch_cache_control(response, max_age=0, must_revalidate=True)
    elif settings.CDN_MAX_AGE > 0:
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.CDN_MAX_AGE,
            stale_while_revalidate=settings.CDN_STALE_WHILE_REVALIDATE,
        )
    else:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
    response["X-Page-Cache"] = outcome
