"""Query parameters that never change a page: the click tracking that links pick up when shared.

The page cache leaves them out of its keys, and links a page prints (pagination) leave them out
too, so one reader's ``?utm_source=...`` is never handed to the others who get that page.
"""

# Added by newsletters, social networks and ad platforms.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid"})
TRACKING_PREFIXES = ("utm_",)


def is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def without_tracking(pairs):
    """The (name, value) pairs that are not click tracking, in their order."""
    return [(name, value) for name, value in pairs if not is_tracking(name)]
