"""Pieces of HTML that many pages print (the header's sections, the breaking-news banner),
rendered once and kept while what they show is unchanged.

A fragment is stored with the versions of the tokens it shows, read *before* it is rendered:
a write that commits during the render moves a version past the stored one, so the next page
renders the fragment again. It also expires at the next moment it changes by itself (a banner
going up or coming down), and after ``FRAGMENT_SECONDS`` for rows changed without a save.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.caching.policy import release
from articles.caching.versions import new_version, version_key

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
    variant = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
    key = f"fragment:{release()}:{variant}"
    keys = [version_key(token) for token in sorted(set(tokens))]
    found = cache.get_many([key, *keys])
    now = timezone.now()
    entry = found.get(key)
    if (
        entry is not None
        and entry["versions"] == [found.get(version) for version in keys]
        and (entry["expires"] is None or now < entry["expires"])
    ):
        return mark_safe(entry["html"])
    missing = {version: new_version() for version in keys if version not in found}
    storable = True
    for version, value in missing.items():
        # add(): a concurrent invalidation's newer version is never overwritten.
        if cache.add(version, value, timeout=None):
            found[version] = value
        else:
            storable = False
    html = render()
    expires = until() if until is not None else None
    timeout = FRAGMENT_SECONDS
    if expires is not None:
        timeout = min(timeout, int((expires - now).total_seconds()))
    if storable and timeout >= 1:
        versions = [found[version] for version in keys]
        cache.set(key, {"html": str(html), "versions": versions, "expires": expires}, timeout)
    return mark_safe(html)
