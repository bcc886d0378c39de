"""Pieces of HTML that many pages print (the header's sections, the breaking-news banner),
rendered once and kept while what they show is unchanged (``kept_until_moved``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString, mark_safe

from articles.caching.versions import kept_until_moved

# Also bounded in time, for rows changed without a save (queryset.update()).
FRAGMENT_SECONDS = 3600


def shared_fragment(
    name: str,
    tokens: Iterable[str],
    render: Callable[[], str],
    *,
    until: Callable[[], dt.datetime | None] | None = None,
) -> SafeString:
    """The HTML ``render()`` returns, from the cache while the versions of ``tokens`` hold.

    ``name`` tells apart the fragment's variants (e.g. the navigation with one section marked
    current); ``until()`` is the next moment the fragment changes by itself, asked on a render.
    """
    html = kept_until_moved(
        f"fragment:{name}", tokens, lambda: str(render()), FRAGMENT_SECONDS, until=until
    )
    return mark_safe(html)
