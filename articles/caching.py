"""Whole-page caching for the reader's site, invalidated precisely when what a page shows changes.

How it works
------------
- Every thing a page can show has a *token*: ``article:12``, ``author:3``, ``tag:7``,
  ``credit:5``, ``sections`` (the navigation, on every page), and for lists the fact of being
  listed: ``list:latest`` (home, the main feed), ``list:section:world``, ``list:tag:russia``,
  ``list:author:jane-roe``. The cache holds a version (a random value) for each token.
- A cached page stores, next to its HTML, the versions of the tokens of everything it showed.
  Those are read from the template context after rendering, without a query: the article, its
  authors, tags, photo credit and rail targets, every article of a list with its authors.
  A hit re-reads those versions (one round trip) and is served only if none has moved.
- A write moves the versions of what it touched (model signals at the bottom of this module):
  saving an article moves its own token and the lists it belongs to (home, its section, its
  tags, its authors), so it is taken off every page that showed it and put on every page that
  now lists it. An author's rename moves ``author:N`` and so every page printing the name.
- Time also publishes: a scheduled article goes live with no write. Pages that list articles
  expire by the next scheduled publish time, and an article page by its rail's next one.
- The article page's view count is counted on every hit by one atomic ``UPDATE ... RETURNING``
  and written into the cached HTML (see ``VIEW_COUNT_SLOT``); nothing else touches the database.
- Readers with a session (editors) always get a fresh page, never stored; a page with cookies,
  another status than 200, or that cannot tell what it shows is not stored either.
- Conditional GET: each page gets a weak ETag of its content (the view count left out) and a
  reader who already has it gets ``304 Not Modified``.

Opting a page in
----------------
Add its URL name to ``CACHED_PAGES`` with the lists it shows, e.g.
``"articles:feed": CachePolicy(lists=(LATEST,))``. A page whose response has no template
context (a syndication feed) names what it shows with ``depends_on(...)`` while it renders, or
relies on its lists alone. Any model with a foreign key to Article (a correction, a gallery
image) refreshes that article's pages when a row is saved or deleted, with no wiring; another
model shown on pages is wired with ``track(Model, tokens)``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.paginator import Page
from django.db import DatabaseError, models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Byline, ImageCredit, RelatedStory, Section
from articles.templatetags.articles_tags import VIEW_COUNT_SLOT, render_view_count

logger = logging.getLogger(__name__)

# --- Tokens ---------------------------------------------------------------------------------

SECTIONS = "sections"
LATEST = "list:latest"
SECTION_LIST = "list:section:{slug}"
TAG_LIST = "list:tag:{slug}"
AUTHOR_LIST = "list:author:{slug}"


def article_token(pk) -> str:
    return f"article:{pk}"


def author_token(pk) -> str:
    return f"author:{pk}"


def tag_token(pk) -> str:
    return f"tag:{pk}"


def credit_token(pk) -> str:
    return f"credit:{pk}"


# --- Which pages are cached -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CachePolicy:
    # List tokens the page shows, formatted with the URL's keyword arguments.
    lists: tuple[str, ...] = ()
    # The page shows context["object"]'s view count, counted and kept fresh on every hit.
    count_views: bool = False
    # Query parameters that change the page; None: all of them but click-tracking ones.
    query_params: tuple[str, ...] | None = None

    def list_tokens(self, url_kwargs: dict) -> set[str]:
        return {template.format(**url_kwargs) for template in self.lists}


CACHED_PAGES: dict[str, CachePolicy] = {
    "articles:home": CachePolicy(lists=(LATEST,)),
    "articles:section": CachePolicy(lists=(SECTION_LIST,)),
    "articles:tag": CachePolicy(lists=(TAG_LIST,)),
    "articles:author": CachePolicy(lists=(AUTHOR_LIST,)),
    # The article page ignores its query string: a shared link's ?utm_source=... or ?fbclid=...
    # must not make a viral story miss the cache on every click.
    "articles:detail": CachePolicy(count_views=True, query_params=()),
    # Feed readers poll all day; each feed also names its stories while it renders.
    "articles:feed": CachePolicy(lists=(LATEST,)),
    "articles:feed_atom": CachePolicy(lists=(LATEST,)),
    "articles:section_feed": CachePolicy(lists=(SECTION_LIST,)),
    "articles:section_feed_atom": CachePolicy(lists=(SECTION_LIST,)),
    "articles:author_feed": CachePolicy(lists=(AUTHOR_LIST,)),
    "articles:author_feed_atom": CachePolicy(lists=(AUTHOR_LIST,)),
    "articles:tag_feed": CachePolicy(lists=(TAG_LIST,)),
    "articles:tag_feed_atom": CachePolicy(lists=(TAG_LIST,)),
}

# Added by newsletters, social networks and ad platforms; they never change a page.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid"})
TRACKING_PREFIXES = ("utm_",)

# --- Cache keys and versions ----------------------------------------------------------------

# Moved by every invalidation, so a render can tell that something changed while it ran.
GENERATION = "pv:*"
NEXT_PUBLICATION = "pages:next-publication"


def version_key(token: str) -> str:
    return f"pv:{token}"


def new_version() -> int:
    # A random integer: Django's Redis backend stores integers as they are, without pickling.
    return int.from_bytes(os.urandom(6), "big")


def page_cache_enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0 and not isinstance(caches["default"], DummyCache)


@functools.cache
def _code_fingerprint() -> str:
    """A hash of the templates, the code and the static manifest: a deploy starts a new cache.

    Without it, pages rendered by the previous release (with its markup and its hashed CSS
    names) would be served until they expire.
    """
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    roots = [base / "templates", base / "articles", base / "newsroom"]
    files = sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in (".py", ".html", ".txt", ".xml") and path.is_file()
    )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(
                str(path.relative_to(base) if path.is_relative_to(base) else path).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def release() -> str:
    return settings.PAGE_CACHE_RELEASE or _code_fingerprint()


def page_key(request, policy: CachePolicy) -> str:
    params = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if (name in policy.query_params if policy.query_params is not None else _kept(name))
    ]
    # The scheme and host are part of the page (canonical links, share links).
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(sorted(params))}"
    return f"page:{release()}:{hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()}"


def _kept(name: str) -> bool:
    return name not in TRACKING_PARAMS and not name.startswith(TRACKING_PREFIXES)


# --- Invalidation ---------------------------------------------------------------------------


def invalidate(tokens: Iterable[str], *, schedule_changed: bool = False) -> None:
    """Move the versions of ``tokens``: every cached page showing one of them is stale.

    Inside a transaction this waits for the commit (a page re-rendered earlier would still read
    the old rows) and makes one round trip for everything the transaction touched.
    """
    tokens = set(tokens)
    if not tokens:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump(tokens, schedule_changed)
        return
    pending = connection.__dict__.setdefault(_PENDING, {"tokens": set(), "schedule": False})
    pending["tokens"] |= tokens
    pending["schedule"] = pending["schedule"] or schedule_changed
    # One callback per call, so that a rolled-back savepoint cannot drop the whole batch; the
    # first one to run after the commit bumps everything and the others find nothing left.
    transaction.on_commit(functools.partial(_flush, connection))


_PENDING = "page_cache_pending"


def _flush(connection) -> None:
    pending = connection.__dict__.pop(_PENDING, None)
    if pending and pending["tokens"]:
        _bump(pending["tokens"], pending["schedule"])


def _bump(tokens: set[str], schedule_changed: bool) -> None:
    # GENERATION first: a page render reading versions halfway through a non-atomic set_many
    # (the local-memory cache) then sees the generation moved and stores nothing.
    versions = {GENERATION: new_version()}
    versions.update((version_key(token), new_version()) for token in sorted(tokens))
    cache.set_many(versions, timeout=None)
    if schedule_changed:
        cache.delete(NEXT_PUBLICATION)


NAVIGATION = "nav:sections"
# Also bounded in time, for section rows changed without a save (queryset.update()).
NAVIGATION_SECONDS = 3600


def navigation_sections() -> list[Section]:
    """The header's sections, kept in the cache until a section changes.

    Every page shows them, so a page rendered on a cache miss reads them with one cache round
    trip instead of a query. The entry is valid while the ``sections`` token keeps the version
    it was stored with; saving or deleting a section moves it (``track(Section, ...)``).
    """
    found = cache.get_many([NAVIGATION, version_key(SECTIONS)])
    version = found.get(version_key(SECTIONS))
    entry = found.get(NAVIGATION)
    if version is not None and entry and entry.get("version") == version:
        return entry["sections"]
    sections = list(Section.objects.only("name", "slug"))
    if version is None:
        version = new_version()
        # add(): a concurrent invalidation's newer version is never overwritten.
        if not cache.add(version_key(SECTIONS), version, timeout=None):
            return sections
    cache.set(NAVIGATION, {"version": version, "sections": sections}, NAVIGATION_SECONDS)
    return sections


def article_tokens(article: Article, *, with_relations: bool = True) -> set[str]:
    """The article and every list it is on: home, its section, its tags and its authors."""
    tokens = {article_token(article.pk), LATEST}
    if article.section_id:
        section = Article.section.field.get_cached_value(article, None)
        slug = (
            section.slug
            if section is not None and section.pk == article.section_id
            else Section.objects.filter(pk=article.section_id)
            .values_list("slug", flat=True)
            .first()
        )
        if slug:
            tokens.add(SECTION_LIST.format(slug=slug))
    if with_relations and article.pk:
        authors = Author.objects.filter(byline__article=article).values_list("slug", flat=True)
        tokens.update(AUTHOR_LIST.format(slug=slug) for slug in authors)
        tags = Tag.objects.filter(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Article),
            taggit_taggeditem_items__object_id=article.pk,
        ).values_list("slug", flat=True)
        tokens.update(TAG_LIST.format(slug=slug) for slug in tags)
    return tokens


def articles_changed(pks: Iterable[int]) -> None:
    """For writes that bypass model signals (bulk_create, queryset.update) on these articles."""
    articles = Article.objects.filter(pk__in=set(pks)).select_related("section")
    tokens: set[str] = set()
    for article in articles:
        tokens |= article_tokens(article)
    invalidate(tokens, schedule_changed=True)


# --- What a rendered page shows -------------------------------------------------------------


class _Shown:
    """Walks a template context and collects the tokens of what it holds, without queries."""

    MAX_DEPTH = 4

    def __init__(self, now: dt.datetime):
        self.now = now
        self.tokens: set[str] = {SECTIONS}
        self.until: dt.datetime | None = None  # the next moment the page changes by itself
        self._seen: set[tuple[type, object]] = set()

    def visit(self, value, depth: int = 0) -> None:
        if value is None or depth > self.MAX_DEPTH or isinstance(value, (str, bytes, int)):
            return
        if isinstance(value, models.Model):
            self._model(value)
        elif isinstance(value, models.QuerySet):
            # Only what the page really rendered; never run a query to find out.
            for item in value._result_cache or ():
                self.visit(item, depth + 1)
        elif isinstance(value, Page):
            self.visit(value.object_list, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                self.visit(item, depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                self.visit(item, depth + 1)

    def _model(self, obj: models.Model) -> None:
        if (type(obj), obj.pk) in self._seen:
            return
        self._seen.add((type(obj), obj.pk))
        if isinstance(obj, Article):
            self._article(obj)
        elif isinstance(obj, Author):
            self.tokens.add(author_token(obj.pk))
        elif isinstance(obj, Tag):
            self.tokens.add(tag_token(obj.pk))
        elif isinstance(obj, ImageCredit):
            self.tokens.add(credit_token(obj.pk))
        elif isinstance(obj, RelatedStory):
            self.tokens.add(article_token(obj.article_id))
        elif type(obj) in _TRACKED:
            self.tokens.update(_TRACKED[type(obj)](obj))

    def _article(self, article: Article) -> None:
        self.tokens.add(article_token(article.pk))
        # Read only what the page loaded: a deferred field (a list built with only()) would
        # cost a query per article, and a page cannot show what it did not load.
        loaded = article.__dict__
        if loaded.get("lead_image_id"):
            self.tokens.add(credit_token(loaded["lead_image_id"]))
        if "status" in loaded and "published_at" in loaded and article.is_scheduled():
            self._changes_at(article.published_at)
        prefetched = getattr(article, "_prefetched_objects_cache", {})
        for author in prefetched.get("authors", ()):
            self._model(author)
        for tag in prefetched.get("tags", ()):
            self._model(tag)
        for story in prefetched.get("related_stories", ()):
            if story.target_id:
                self.tokens.add(article_token(story.target_id))
                target = RelatedStory.target.field.get_cached_value(story, None)
                if target is not None and target.is_scheduled():
                    # The rail entry becomes a link when its story goes live.
                    self._changes_at(target.published_at)

    def _changes_at(self, moment: dt.datetime) -> None:
        if moment > self.now and (self.until is None or moment < self.until):
            self.until = moment


_collected: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "page_cache_collected", default=None
)


def depends_on(*things) -> None:
    """Name what the page being rendered shows, for responses without a template context."""
    collected = _collected.get()
    if collected is None:
        return
    shown = _Shown(timezone.now())
    for thing in things:
        if isinstance(thing, str):
            collected.add(thing)
        else:
            shown.visit(thing)
    collected.update(shown.tokens - {SECTIONS})


def next_publication() -> dt.datetime | None:
    """When the next scheduled article goes live, remembered until then or the next write."""
    remembered = cache.get(NEXT_PUBLICATION)
    if remembered is not None:
        return remembered["at"]
    at = (
        Article.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    timeout = max(1, int((at - timezone.now()).total_seconds())) if at else None
    cache.set(NEXT_PUBLICATION, {"at": at}, timeout=timeout)
    return at


# --- The middleware -------------------------------------------------------------------------


@dataclasses.dataclass
class _Pending:
    """What the middleware knows about a request to a cacheable page, until its response."""

    policy: CachePolicy
    key: str | None = None  # None: not stored
    generation: int | None = None
    private: bool = False
    collected: set[str] = dataclasses.field(default_factory=set)
    reset: contextvars.Token | None = None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            pending = request.__dict__.pop("_page_cache", None)
            if pending is not None and pending.reset is not None:
                _collected.reset(pending.reset)
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
            response = _serve(request, key, entry, found)
            if response is not None:
                return response
        pending = _Pending(policy, key=key, generation=found.get(GENERATION))
        pending.reset = _collected.set(pending.collected)
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


def _serve(request, key: str, entry: dict, found: dict) -> HttpResponse | None:
    """The cached page, if everything it showed is unchanged; None sends the request on."""
    versions = entry["versions"]
    keys = tuple(version_key(token) for token in versions)
    if _known_dependencies.get(key) == keys:
        current = found
    else:
        current = cache.get_many(keys)
        _known_dependencies.remember(key, keys)
    if any(current.get(version_key(token)) != version for token, version in versions.items()):
        return None
    if entry["count"] is None:
        content = entry["content"]
    else:
        # Any change to the article since it was cached has moved its version above, so the
        # count goes straight to the row.
        try:
            views = Article.objects.add_view(entry["count"])
        except DatabaseError as error:
            # The story can still be read while the database is away; this view goes uncounted.
            logger.warning("View not counted, database unavailable: %s", error)
            views = entry.get("views")
        if views is None:  # unpublished or deleted a moment ago: let the view answer
            return None
        before, after = entry["content"]
        content = before + render_view_count(views).encode() + after
    response = get_conditional_response(request, etag=entry["etag"])
    if response is None:
        response = HttpResponse(content, content_type=entry["content_type"])
    _public_headers(response, entry["etag"], "hit")
    return response


def _finish(request, response, pending: _Pending):
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
    not_modified = get_conditional_response(request, etag=etag, response=response)
    if not_modified is not None:
        response = not_modified
    _public_headers(response, etag, "miss" if stored else "pass")
    return response


def _store(request, response, pending: _Pending, etag: str, content: bytes, parts) -> bool:
    now = timezone.now()
    shown = _Shown(now)
    context = getattr(response, "context_data", None)
    if context is None and not pending.collected and not pending.policy.lists:
        return False  # nothing says what the page shows: it could never be invalidated
    shown.visit(context)
    if pending.policy.count_views:
        article = (context or {}).get("object")
        if not isinstance(article, Article) or not article.is_published():
            return False
    tokens = (
        shown.tokens | pending.collected | pending.policy.list_tokens(request.resolver_match.kwargs)
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
        cache.set_many(missing, timeout=None)
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
    }
    cache.set(pending.key, entry, timeout)
    return True


def _public_headers(response, etag: str, outcome: str) -> None:
    response["ETag"] = etag
    # Any cache may keep the page but must ask again each time (and each view is counted).
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    response["X-Page-Cache"] = outcome


# --- Signals: writes move the tokens of what they touched -----------------------------------

_TRACKED: dict[type[models.Model], Callable[[models.Model], Iterable[str]]] = {}


def track(model: type[models.Model], tokens: Callable[[models.Model], Iterable[str]]) -> None:
    """Invalidate ``tokens(instance)`` when a ``model`` row is saved or deleted.

    For example, for corrections printed on the article page:
    ``track(Correction, lambda correction: [article_token(correction.article_id)])``.
    """
    _TRACKED[model] = tokens
    uid = f"page-cache-{model._meta.label_lower}"
    post_save.connect(_tracked_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(_tracked_changed, sender=model, dispatch_uid=uid)


def _tracked_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    invalidate(_TRACKED[sender](instance))


def _fixture_loaded() -> None:
    # loaddata writes raw rows whose relations may not be complete yet: every page shows the
    # navigation, so moving its token takes every page out, once, when the load commits.
    invalidate([SECTIONS], schedule_changed=True)


def _article_saved(sender, instance, created, raw, **kwargs):
    if raw:
        _fixture_loaded()
        return
    # A new article has no byline or tags yet; they arrive with their own signals.
    invalidate(article_tokens(instance, with_relations=not created), schedule_changed=True)


def _article_deleted(sender, instance, **kwargs):
    invalidate(article_tokens(instance), schedule_changed=True)


def _byline_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    cached_author = Byline.author.field.get_cached_value(instance, None)
    slug = (
        cached_author.slug
        if cached_author is not None
        else Author.objects.filter(pk=instance.author_id).values_list("slug", flat=True).first()
    )
    invalidate(
        [article_token(instance.article_id)] + ([AUTHOR_LIST.format(slug=slug)] if slug else [])
    )


def _tagged_item_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    if instance.content_type_id != ContentType.objects.get_for_model(Article).pk:
        return
    cached_tag = TaggedItem.tag.field.get_cached_value(instance, None)
    slug = (
        cached_tag.slug
        if cached_tag is not None
        else Tag.objects.filter(pk=instance.tag_id).values_list("slug", flat=True).first()
    )
    invalidate([article_token(instance.object_id)] + ([TAG_LIST.format(slug=slug)] if slug else []))


def connect_signals() -> None:
    """Called once from the app's ready()."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="page-cache-article")
    pre_delete.connect(_article_deleted, sender=Article, dispatch_uid="page-cache-article")
    post_save.connect(_byline_changed, sender=Byline, dispatch_uid="page-cache-byline")
    post_delete.connect(_byline_changed, sender=Byline, dispatch_uid="page-cache-byline")
    post_save.connect(_tagged_item_changed, sender=TaggedItem, dispatch_uid="page-cache-tagged")
    post_delete.connect(_tagged_item_changed, sender=TaggedItem, dispatch_uid="page-cache-tagged")
    track(Author, lambda author: [author_token(author.pk)])
    track(Tag, lambda tag: [tag_token(tag.pk)])
    track(Section, lambda section: [SECTIONS])
    track(ImageCredit, lambda credit: [credit_token(credit.pk)])
    # Rails, and whatever else hangs off an article (corrections, galleries...), now or later.
    for model, fields in article_children().items():
        if model not in _TRACKED:
            track(model, functools.partial(_articles_of, fields=fields))


def article_children() -> dict[type[models.Model], list[str]]:
    """Models with a foreign key to Article, and those keys' columns (bylines aside)."""
    children: dict[type[models.Model], list[str]] = {}
    for relation in Article._meta.related_objects:
        model = relation.related_model
        if model is Byline or not (relation.one_to_many or relation.one_to_one):
            continue
        children.setdefault(model, []).append(relation.field.attname)
    return children


def _articles_of(instance: models.Model, *, fields: list[str]) -> list[str]:
    """The pages of the articles a child row points at: its article (and a rail's target)."""
    return [article_token(getattr(instance, f)) for f in fields if getattr(instance, f)]
