"""Readers' comments on articles, in the shape of django-contrib-comments' comment model.

The library's abstract model cannot be used as it is: it imports django.contrib.sites, and with
that app installed Django's sitemaps and feeds would build their URLs from a stored domain
instead of the host the reader asked for. The fields keep the library's names; its form is
used as it is (comments/forms.py).

A comment is *pending* (waiting for an editor), *published*, *removed* or *spam*; readers see
published ones only, and only on a published article's page. Whether an article takes new
comments is ``Discussion.is_open_for``.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import Article


def comments_token(article_pk) -> str:
    """The page-cache token of an article's comments: only its own page shows them."""
    return f"comments:{article_pk}"


def shown_to_readers(prefix: str = "") -> Q:
    """What readers may see, for comments reached through ``prefix`` (e.g. ``"comments__"``)."""
    return Q(**{f"{prefix}is_public": True, f"{prefix}is_removed": False})


# A comment's status as stored: the one rule for each (Comment.status says it for one comment).
STATUS_CONDITIONS = {
    "pending": Q(is_public=False, is_removed=False),
    "published": shown_to_readers(),
    "removed": Q(is_removed=True, is_spam=False),
    "spam": Q(is_spam=True),
}


class CommentQuerySet(models.QuerySet):
    def for_article(self, article_pk):
        return self.filter(article_id=article_pk)

    def with_status(self, status: str):
        return self.filter(STATUS_CONDITIONS[status])

    def published(self):
        """What readers may see (on a published article's page)."""
        return self.with_status("published")

    def pending(self):
        """The moderation queue: neither approved nor removed yet."""
        return self.with_status("pending")

    def by_email(self, email: str):
        return self.filter(user_email__iexact=email.strip())


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        PUBLISHED = "published", "Published"
        REMOVED = "removed", "Removed"
        SPAM = "spam", "Spam"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # Erasing a commenter keeps other readers' replies to them, as top-level comments.
        on_delete=models.SET_NULL,
        related_name="replies",
        help_text="The comment this one answers (one level of replies).",
    )
    user_name = models.CharField("name", max_length=50)
    user_email = models.EmailField(
        "email", max_length=254, help_text="Never shown to readers, in feeds or in metadata."
    )
    # The reader's limit (COMMENTS_MAX_LENGTH) is the form's to enforce, so that changing it
    # needs no migration.
    comment = models.TextField("comment")
    submit_date = models.DateTimeField("posted", default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", unpack_ipv4=True, null=True, blank=True)
    is_public = models.BooleanField(
        "published", default=False, help_text="Shown under the article (once not removed)."
    )
    is_removed = models.BooleanField("removed", default=False)
    is_spam = models.BooleanField(
        "spam", default=False, help_text="Marked as spam by an editor or by Akismet; never shown."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ("submit_date", "pk")
        permissions = [("can_moderate", "Can moderate comments")]
        indexes = [
            models.Index(fields=["article", "submit_date"], name="comment_article_oldest"),
            # The moderation queue and its count on the admin index.
            models.Index(
                fields=["-submit_date"],
                condition=Q(is_public=False, is_removed=False),
                name="comment_pending_newest",
            ),
        ]

    def __str__(self):
        return f"{self.user_name}: {self.comment[:50]}"

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        comment._was_shown = comment.is_shown()
        return comment

    def is_shown(self) -> bool:
        return self.is_public and not self.is_removed

    def page_tokens(self) -> list[str]:
        """The cached page this comment's save or deletion changes: its article's, if readers
        saw it before or see it now (a comment waiting for an editor changes no page)."""
        if self.is_shown() or getattr(self, "_was_shown", False):
            return [comments_token(self.article_id)]
        return []

    @property
    def status(self) -> str:
        if self.is_spam:
            return self.Status.SPAM
        if self.is_removed:
            return self.Status.REMOVED
        return self.Status.PUBLISHED if self.is_public else self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class Discussion(models.Model):
    """An editor's decision to open or close an article's comments, whatever its age."""

    class State(models.TextChoices):
        AUTOMATIC = "auto", "Open, closing automatically after publication"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="discussion"
    )
    state = models.CharField(
        "comments",
        max_length=10,
        choices=State.choices,
        default=State.AUTOMATIC,
        help_text="Closed comments stay on the page without the form. Automatic closes them "
        "COMMENTS_CLOSE_AFTER_DAYS days after publication.",
    )

    class Meta:
        verbose_name = "article's comments"
        verbose_name_plural = "articles' comments (open or closed)"

    def __str__(self):
        return f"Comments on {self.article}"

    @staticmethod
    def is_open_for(article: Article, state: str | None, now: dt.datetime | None = None) -> bool:
        """Does ``article`` take new comments, with the editor's ``state`` (None: automatic)?"""
        if not article.is_published() or state == Discussion.State.CLOSED:
            return False
        if state == Discussion.State.OPEN:
            return True
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        now = now or timezone.now()
        return days <= 0 or now < article.published_at + dt.timedelta(days=days)

    @staticmethod
    def state_of(article_pk) -> str | None:
        return (
            Discussion.objects.filter(article_id=article_pk).values_list("state", flat=True).first()
        )


class TrustedCommenter(models.Model):
    """A reader whose comments are published at once, without waiting for an editor."""

    email = models.EmailField(unique=True, help_text="Matched without regard to case.")
    note = models.CharField(max_length=200, blank=True, help_text="Why they are trusted.")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @classmethod
    def is_trusted(cls, email: str) -> bool:
        return cls.objects.filter(email=email.strip().lower()).exists()
