"""Every write to comments after the form: posting, and the editors' moderation.

Bulk changes use ``queryset.update()``, which sends no model signal, so each one refreshes the
cached pages of the articles it touched itself (only those articles' pages).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import transaction

from articles import caching
from comments import spam
from comments.models import Comment, TrustedCommenter, comments_token


def _pages_of(comments) -> set[str]:
    """Read before an update: the admin's selection may be filtered by the state it changes."""
    return {comments_token(pk) for pk in comments.values_list("article_id", flat=True)}


def _address(request) -> str | None:
    try:
        return str(ipaddress.ip_address(spam.client_address(request)))
    except ValueError:
        return None


def submit(*, form, request, permalink: str) -> Comment:
    """Save a valid comment and decide where it goes.

    Spam by Akismet's verdict is kept aside for editors to rescue; a trusted commenter's comment,
    or any comment when COMMENTS_PREMODERATION is off, is published at once; every other comment
    waits for an editor. The same comment posted twice (a double click) is saved once.
    """
    comment = form.get_comment_object()
    if comment.pk:
        return comment
    comment.ip_address = _address(request)
    if spam.akismet_says_spam(comment, request, permalink):
        comment.is_removed = comment.is_spam = True
    elif not settings.COMMENTS_PREMODERATION or TrustedCommenter.is_trusted(comment.user_email):
        comment.is_public = True
    comment.save()  # the page cache follows this save (comments/apps.py)
    return comment


@transaction.atomic
def approve(comments) -> int:
    """Publish the selected comments (spam found to be none included)."""
    pages = _pages_of(comments)
    count = comments.update(is_public=True, is_removed=False, is_spam=False)
    caching.invalidate(pages)
    return count


@transaction.atomic
def remove(comments) -> int:
    """Take the selected comments off the page; they stay in the admin."""
    pages = _pages_of(comments)
    count = comments.update(is_public=False, is_removed=True)
    caching.invalidate(pages)
    return count


@transaction.atomic
def mark_spam(comments) -> int:
    """Remove the selected comments as spam, and tell Akismet (when configured)."""
    reported = list(comments.filter(is_spam=False))
    pages = _pages_of(comments)
    count = comments.update(is_public=False, is_removed=True, is_spam=True)
    caching.invalidate(pages)
    for comment in reported:
        transaction.on_commit(lambda comment=comment: spam.akismet_report(comment, spam=True))
    return count


def trust_commenters(comments) -> int:
    """Trust the authors of the selected comments: their next comments are published at once."""
    emails = {email.lower() for email in comments.values_list("user_email", flat=True) if email}
    for email in emails:
        TrustedCommenter.objects.get_or_create(email=email)
    return len(emails)


@transaction.atomic
def erase_commenters(comments) -> tuple[int, int]:
    """Erase everything of the authors of the selected comments, on request (GDPR).

    Every comment written with their email address, on any article, is deleted, with the
    address and the trust entry; replies other readers wrote to them stay, as top-level
    comments. Returns (commenters, comments deleted).
    """
    emails = {email.lower() for email in comments.values_list("user_email", flat=True) if email}
    pks = set(comments.values_list("pk", flat=True))
    for email in emails:
        pks.update(Comment.objects.by_email(email).values_list("pk", flat=True))
    theirs = Comment.objects.filter(pk__in=pks)
    caching.invalidate(_pages_of(theirs))
    deleted = len(pks)
    theirs.delete()
    TrustedCommenter.objects.filter(email__in=emails).delete()
    return len(emails), deleted
