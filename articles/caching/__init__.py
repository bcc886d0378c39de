"""Whole-page caching for the reader's site, invalidated precisely when what a page shows changes.

How it works
------------
- Every thing a page can show has a *token*: ``article:12``, ``author:3``, ``tag:7``,
  ``credit:5``, ``sections`` (the navigation, on every page), and for lists the fact of being
  listed: ``list:latest`` (home, the main feed), ``list:section:world``, ``list:tag:russia``,
  ``list:author:jane-roe``. The cache holds a version (a random value) for each token
  (``policy.py``).
- A cached page stores, next to its HTML, the versions of the tokens of everything it showed,
  read from its template context after rendering (``dependencies.py``). A hit re-reads those
  versions (one round trip) and is served only if none has moved (``middleware.py``).
- A write moves the versions of what it touched, once its transaction commits (``signals.py``,
  ``versions.py``). The change is written to an outbox in the same transaction, so a cache that
  cannot be reached at that moment delays it by seconds and never loses it.
- Time also publishes: a scheduled article goes live, a photo's licence ends, with no write.
  A page expires by the next such moment among what it shows.
- The article page's view count is counted on every hit by one atomic ``UPDATE ... RETURNING``
  and written into the cached HTML; nothing else touches the database.
- Readers with a session (editors) always get a fresh page, never stored; a page with cookies,
  another status than 200, or that cannot tell what it shows is not stored either.

The public API is what this module exports; nothing outside builds cache keys.

Fragments
---------
Pieces many pages print (the header's sections, the breaking-news banner) are rendered once
and kept under the same tokens (``shared_fragment``, ``fragments.py``): a page rendered on a
miss reads them in one round trip instead of queries and template work.

Opting a page in
----------------
Add its URL name to ``CACHED_PAGES`` with the lists it shows, e.g.
``"articles:feed": CachePolicy(lists=(LATEST,))``. A page whose response has no template
context (a syndication feed) names what it shows with ``depends_on(...)`` while it renders, or
relies on its lists alone. Any model with a foreign key to Article (a correction, a gallery
image) refreshes that article's pages when a row is saved or deleted, with no wiring; another
model shown on pages is wired with ``track(Model, tokens)``. Writes that bypass model signals
(``bulk_create``, ``queryset.update()``) call ``articles_changed(pks)`` or ``invalidate(tokens)``.
"""

from articles.caching.dependencies import depends_on
from articles.caching.fragments import shared_fragment
from articles.caching.middleware import PageCacheMiddleware
from articles.caching.policy import (
    AUTHOR_LIST,
    CACHED_PAGES,
    LATEST,
    SECTION_LIST,
    SECTIONS,
    TAG_LIST,
    CachePolicy,
    article_token,
    author_token,
    credit_token,
    page_cache_enabled,
    tag_token,
)
from articles.caching.signals import articles_changed, connect_signals, track
from articles.caching.versions import (
    invalidate,
    kept_until_moved,
    navigation_sections,
    replay_pending,
)

__all__ = [
    "AUTHOR_LIST",
    "CACHED_PAGES",
    "LATEST",
    "SECTIONS",
    "SECTION_LIST",
    "TAG_LIST",
    "CachePolicy",
    "PageCacheMiddleware",
    "article_token",
    "articles_changed",
    "author_token",
    "connect_signals",
    "credit_token",
    "depends_on",
    "invalidate",
    "kept_until_moved",
    "navigation_sections",
    "page_cache_enabled",
    "replay_pending",
    "shared_fragment",
    "tag_token",
    "track",
]
