"""Which pages are cached, the tokens they depend on, and the key of each cached page."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

from articles.querystrings import is_tracking

# --- Tokens: one for each thing a page can show ----------------------------------------------

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


# --- Which pages are cached ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CachePolicy:
    # List tokens the page shows, formatted with the URL's keyword arguments.
    lists: tuple[str, ...] = ()
    # The page shows context["object"]'s view count, counted and kept fresh on every hit.
    count_views: bool = False
    # Query parameters that change the page; None: all of them but click-tracking ones.
    query_params: tuple[str, ...] | None = None
    # Lists named by a query parameter: {"tag": TAG_LIST} makes ?tag=x depend on list:tag:x.
    param_lists: tuple[tuple[str, str], ...] = ()
    # New copies of the page one client address may store are limited (SEARCH_CACHE_FILLS):
    # for pages with endless variants (a search), so that one client cannot fill the cache.
    limit_fills: bool = False
    # A CDN in front may keep the page (s-maxage); False for pages it could not be told to
    # purge (endless search variants): every cache revalidates them.
    shared: bool = True

    def list_tokens(self, url_kwargs: dict, params: dict | None = None) -> set[str]:
        tokens = {template.format(**url_kwargs) for template in self.lists}
        for name, template in self.param_lists:
            if (params or {}).get(name):
                tokens.add(template.format(slug=params[name]))
        return tokens

    def changes_page(self, name: str) -> bool:
        if self.query_params is not None:
            return name in self.query_params
        return not is_tracking(name)


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
    # Search results: any story published, edited or withdrawn moves LATEST; a filter on a
    # section, tag or author also follows that list (a byline or tag added to a story).
    "articles:search": CachePolicy(
        lists=(LATEST,),
        query_params=(
            "q",
            "section",
            "tag",
            "author",
            "published_after",
            "published_before",
            "sort",
            "page",
        ),
        param_lists=(("section", SECTION_LIST), ("tag", TAG_LIST), ("author", AUTHOR_LIST)),
        limit_fills=True,
        shared=False,
    ),
    # Crawlers fetch sitemaps all day. Each lists live stories, so any story published,
    # unpublished or changed refreshes them (LATEST); the stories, authors, tags and photos
    # they name are read from their context like any page's.
    "articles:sitemap_index": CachePolicy(lists=(LATEST,), query_params=()),
    "articles:sitemap": CachePolicy(lists=(LATEST,), query_params=("p",)),
    "articles:news_sitemap": CachePolicy(lists=(LATEST,), query_params=("p",)),
}


def page_cache_enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0 and not isinstance(caches["default"], DummyCache)


# --- Keys ------------------------------------------------------------------------------------


# The folders whose code and templates render pages (or the API's cached answers).
CODE_FOLDERS = ("templates", "articles", "newsroom", "comments", "api", "webhooks")


@functools.cache
def _code_fingerprint() -> str:
    """A hash of the templates, the code and the static manifest: a deploy starts a new cache.

    Without it, pages rendered by the previous release (with its markup and its hashed CSS
    names) would be served until they expire. Files are named relative to their root, so two
    servers running the same release from different folders share the cache.
    """
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    roots = {folder: base / folder for folder in CODE_FOLDERS}
    roots["static"] = Path(settings.STATIC_ROOT)
    for label, root in roots.items():
        if label == "static":
            files = [root / "staticfiles.json"]
        else:
            files = sorted(
                path
                for path in root.rglob("*")
                if path.suffix in (".py", ".html", ".txt", ".xml") and path.is_file()
            )
        for path in files:
            if path.is_file():
                digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def release() -> str:
    return settings.PAGE_CACHE_RELEASE or _code_fingerprint()


def page_params(request, policy: CachePolicy) -> list[tuple[str, str]]:
    """The query parameters that change the page, by name.

    Parameters keep their order among those of the same name (``?page=2&page=5`` is page 5 to
    Django, ``?page=5&page=2`` page 2); only different names are sorted. A page that names its
    parameters reads them as its form does: surrounding spaces stripped, empty ones unused.
    """
    params = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if policy.changes_page(name)
    ]
    if policy.query_params is not None:
        params = [(name, value.strip()) for name, value in params if value.strip()]
    params.sort(key=lambda pair: pair[0])  # stable: same-name values keep their order
    return params


def page_key(request, policy: CachePolicy) -> str:
    """The cache key of this request's page.

    The host is not part of the key: every absolute URL a page prints comes from ``SITE_URL``.
    """
    url = f"{request.path}?{urlencode(page_params(request, policy))}"
    return f"page:{release()}:{hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()}"
