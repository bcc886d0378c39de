"""Brotli or gzip for the pages, feeds and sitemaps, never for a response that carries a secret.

BREACH: an attacker who can make a victim's browser request a page many times, with guesses in
the URL that the page echoes (a search), can read a secret on the same compressed page byte by
byte from the response sizes. So a response is compressed only when it carries nothing secret:
no CSRF token was used to render it, it sets no cookie, it is not private to one reader, and
the request came without a session (a signed-in editor's pages are sent as they are). Public
pages, which every reader gets the same, are compressed.

Static files are compressed once, at ``collectstatic`` (WhiteNoise writes ``.br`` and ``.gz``
copies), and served before this middleware runs.
"""

from __future__ import annotations

import gzip

from django.conf import settings
from django.utils.cache import patch_vary_headers

try:
    import brotli
except ImportError:  # brotli is a dependency; without it, gzip alone
    brotli = None

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
        "application/ld+json",
        "application/javascript",
        "text/javascript",
        "image/svg+xml",
    }
)
# Below this, the headers cost more than compression saves.
MIN_LENGTH = 500
GZIP_LEVEL = 6
# Brotli's quality 5 compresses a page better than gzip's 6 in about the same time; 11 is for
# files compressed once, such as static files.
BROTLI_QUALITY = 5


def accepted_codings(header: str) -> dict[str, float]:
    """Accept-Encoding as {coding: q}: ``"br;q=0.8, gzip"`` gives {"br": 0.8, "gzip": 1.0}."""
    codings = {}
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding:
            codings[coding.strip().lower()] = quality
    return codings


def choose_coding(header: str) -> str | None:
    """ "br" or "gzip", whichever the client accepts, brotli first; None for neither."""
    codings = accepted_codings(header)
    available = ("br", "gzip") if brotli is not None else ("gzip",)
    for coding in available:
        if codings.get(coding, codings.get("*", 0.0)) > 0:
            return coding
    return None


def carries_secret(request, response) -> bool:
    """Whether compressing ``response`` could let BREACH read something secret from it."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token was put in the page
        or response.cookies
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "private" in response.get("Cache-Control", "")
    )


def compress(content: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(content, quality=BROTLI_QUALITY)
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


class CompressionMiddleware:
    """Compress eligible responses with brotli or gzip, as the client accepts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or len(response.content) < MIN_LENGTH
            or response.get("Content-Type", "").split(";")[0].strip() not in COMPRESSIBLE_TYPES
        ):
            return response
        # A cache in front must keep one copy per encoding (and never serve brotli to a client
        # that did not ask for it), whether or not this client gets a compressed copy.
        patch_vary_headers(response, ("Accept-Encoding",))
        coding = choose_coding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if coding is None or carries_secret(request, response):
            return response
        compressed = compress(response.content, coding)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = coding
        etag = response.get("ETag")
        if etag and not etag.startswith("W/"):
            # The bytes differ from the uncompressed ones: only weakly the same entity.
            response["ETag"] = "W/" + etag
        return response
