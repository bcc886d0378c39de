"""Notes between reporter and editor on an article, and form drafts kept while someone types.

The models refer to the rest of the app by name only, so ``articles.models`` can register them
without an import circle.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from articles.fields import recorded_user
from articles.text import strip_control_characters


class EditorialNote(models.Model):
    """Why a draft was sent back, what to fix: the desk's conversation, never shown to readers.

    Kept as written: nobody edits or deletes another's note through the admin.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="notes")
    author = recorded_user("written by")
    text = models.TextField(
        "note",
        max_length=2000,
        help_text="For the reporter or the editor, e.g. why it goes back and what to fix. "
        "Readers never see it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "note to the desk"
        verbose_name_plural = "notes to the desk"

    def __str__(self):
        return Truncator(self.text).chars(60)

    def save(self, *args, **kwargs):
        self.text = strip_control_characters(self.text).strip()
        super().save(*args, **kwargs)

    @property
    def signature(self) -> str:
        name = (self.author.get_full_name() or self.author.get_username()) if self.author else ""
        when = timezone.localtime(self.created_at).strftime("%d %b %Y, %H:%M")
        return f"{name or 'Someone'}, {when}"


class FormDraft(models.Model):
    """What one person had typed in an article form, saved by the page every few seconds.

    One per person and article (or per person for a new article). The form offers it back when
    it is newer than the article's last save; a save that succeeds discards it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="form_drafts",
    )
    fields = models.JSONField(default=dict, help_text="The form's fields by name, as typed.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        verbose_name = "kept form draft"
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_form_draft"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(article=None), name="unique_new_form_draft"
            ),
        ]

    def __str__(self):
        headline = self.fields.get("headline") if isinstance(self.fields, dict) else ""
        return str(headline or "Untitled draft")
