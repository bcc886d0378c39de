"""Spam defences that need no third-party script in the reader's browser.

- a time-to-submit check: the form carries a signed moment it was handed out, and a post
  that comes back sooner than COMMENTS_MIN_SECONDS is a robot's;
- a per-address rate limit kept in the cache;
- a cap on links (``count_links``), checked by the form;
- Akismet, asked from the server when AKISMET_API_KEY is set.
The honeypot field is django-contrib-comments' own (``CommentForm.honeypot``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from articles import metadata

logger = logging.getLogger(__name__)

STARTED_SALT = "comments.started"
# A form handed out longer ago than this is refused too (and handed out again).
STARTED_MAX_AGE = 24 * 3600
LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)
AKISMET_TIMEOUT = 3


def count_links(text: str) -> int:
    return len(LINK.findall(text))


# --- Time to submit -------------------------------------------------------------------------


def issue_started(article_pk) -> str:
    """The signed moment a reader was handed the form for article ``article_pk``."""
    return signing.dumps({"article": str(article_pk), "at": time.time()}, salt=STARTED_SALT)


def started_problem(value: str, article_pk) -> str | None:
    """Why a form's ``started`` value is refused, or None when it is good."""
    try:
        started = signing.loads(value or "", salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
    except signing.BadSignature:
        return "missing"
    if started.get("article") != str(article_pk):
        return "missing"
    if time.time() - started["at"] < settings.COMMENTS_MIN_SECONDS:
        return "too fast"
    return None


# --- Rate limit -----------------------------------------------------------------------------


def client_address(request) -> str:
    """The reader's address: REMOTE_ADDR, or the last entry of COMMENTS_IP_HEADER when a proxy
    in front sets one (the entry that proxy added, which the reader cannot forge)."""
    header = settings.COMMENTS_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _rate_key(address: str) -> str:
    return "comments:rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def over_rate_limit(address: str) -> bool:
    """Has ``address`` posted COMMENTS_RATE_LIMIT comments within COMMENTS_RATE_WINDOW seconds?"""
    return (cache.get(_rate_key(address)) or 0) >= settings.COMMENTS_RATE_LIMIT


def count_post(address: str) -> None:
    """Count one accepted comment from ``address``; the window starts with its first."""
    key = _rate_key(address)
    if cache.add(key, 1, settings.COMMENTS_RATE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, settings.COMMENTS_RATE_WINDOW)


# --- Akismet --------------------------------------------------------------------------------


def akismet_says_spam(comment, request, permalink: str) -> bool | None:
    """Akismet's verdict on ``comment``: True (spam), False, or None (no key, or no answer)."""
    key = settings.AKISMET_API_KEY
    if not key:
        return None
    data = {
        "blog": metadata.absolute("/"),
        "user_ip": comment.ip_address or "",
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        "referrer": request.META.get("HTTP_REFERER", ""),
        "permalink": permalink,
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.user_name,
        "comment_author_email": comment.user_email,
        "comment_content": comment.comment,
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }
    answer = _akismet_call(key, "comment-check", data)
    return None if answer is None else answer == "true"


def akismet_report(comment, *, spam: bool) -> None:
    """Tell Akismet an editor's verdict (submit-spam / submit-ham), so it learns."""
    key = settings.AKISMET_API_KEY
    if not key:
        return
    data = {
        "blog": metadata.absolute("/"),
        "user_ip": comment.ip_address or "",
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.user_name,
        "comment_author_email": comment.user_email,
        "comment_content": comment.comment,
    }
    _akismet_call(key, "submit-spam" if spam else "submit-ham", data)


def _akismet_call(key: str, method: str, data: dict) -> str | None:
    request = Request(
        f"https://{key}.rest.akismet.com/1.1/{method}",
        data=urlencode(data).encode(),
        headers={"User-Agent": "Newsroom/1.0"},
    )
    try:
        with urlopen(request, timeout=AKISMET_TIMEOUT) as response:  # noqa: S310 (fixed https URL)
            return response.read().decode().strip()
    except (URLError, OSError, ValueError) as error:
        # The comment then waits for an editor, as it would without Akismet.
        logger.warning("Akismet %s failed: %s", method, error)
        return None
