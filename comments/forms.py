"""The reader's comment form: django-contrib-comments' form (anti-tampering hash, honeypot) with
the newsroom's rules for what a comment may be."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django_comments.forms import CommentForm as LibraryCommentForm

from articles.text import strip_control_characters
from comments import spam
from comments.models import Comment

# Invisible characters that reorder the text around them (embeddings, overrides, isolates):
# they can make a comment read differently from what was typed ("Trojan Source").
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str) -> str:
    """Line breaks as the browser shows them, control characters gone."""
    return strip_control_characters(value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def refuse_bidi_controls(value: str, what: str) -> None:
    if BIDI_CONTROLS.search(value):
        raise forms.ValidationError(
            f"Your {what} holds invisible characters that change the direction of the text "
            "(such as U+202E). Remove them and post again; right-to-left writing itself is "
            "welcome."
        )


class CommentForm(LibraryCommentForm):
    url = None  # readers leave no web address: a comment is about the story
    name = forms.CharField(label="Name", max_length=50, help_text="Shown with your comment.")
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Never shown or shared; an editor may write to you about your comment.",
    )
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 5}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # When the form was handed out, signed (comments.spam); filled in for each reader.
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    error_messages = {
        "empty": "Write a comment before posting.",
    }

    def __init__(self, target_object, data=None, initial=None, **kwargs):
        super().__init__(target_object, data=data, initial=initial, **kwargs)
        limit = settings.COMMENTS_MAX_LENGTH
        self.fields["comment"].widget.attrs["maxlength"] = limit
        self.fields["comment"].help_text = f"Plain text, at most {limit} characters."
        self.fields["comment"].error_messages["required"] = self.error_messages["empty"]
        self.fields["name"].error_messages["required"] = "Give a name to sign your comment with."
        self.fields["email"].error_messages["required"] = "Give your email address."
        self.fields["honeypot"].label = "Leave this field empty"
        for name in ("name", "email", "comment"):
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["honeypot"].widget.attrs.update(tabindex="-1", autocomplete="off")

    def full_clean(self):
        super().full_clean()
        # Screen readers announce a wrong field and read its message with it.
        for name in self.errors:
            if name in self.fields and not self.fields[name].widget.is_hidden:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error {self[name].auto_id}-help"

    def clean_name(self):
        name = plain_text(self.cleaned_data["name"])
        refuse_bidi_controls(name, "name")
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean_comment(self):
        text = plain_text(super().clean_comment())
        if not text:
            raise forms.ValidationError(self.error_messages["empty"])
        refuse_bidi_controls(text, "comment")
        limit = settings.COMMENTS_MAX_LENGTH
        if len(text) > limit:
            raise forms.ValidationError(
                f"Keep your comment to {limit} characters; it has {len(text)}."
            )
        links = spam.count_links(text)
        if links > settings.COMMENTS_MAX_LINKS:
            raise forms.ValidationError(
                f"A comment may hold at most {settings.COMMENTS_MAX_LINKS} links; "
                f"this one has {links}."
            )
        return text

    def clean_parent(self):
        """The comment answered: a published one on the same article. A reply to a reply
        answers its thread (one level of replies)."""
        pk = self.cleaned_data.get("parent")
        if pk is None:
            return None
        parent = (
            Comment.objects.for_article(self.target_object.pk).published().filter(pk=pk).first()
        )
        if parent is None:
            raise forms.ValidationError("The comment you answered is no longer shown.")
        return parent.parent or parent

    def get_comment_model(self):
        return Comment

    def get_comment_create_data(self, site_id=None):
        # Unpublished until comments.moderation decides; the moderation decides at once.
        return {
            "article": self.target_object,
            "user_name": self.cleaned_data["name"],
            "user_email": self.cleaned_data["email"],
            "comment": self.cleaned_data["comment"],
            "parent": self.cleaned_data.get("parent"),
            "submit_date": timezone.now(),
            "is_public": False,
            "is_removed": False,
        }

    def check_for_duplicate_comment(self, new):
        # A double click or a reload posts the same comment twice: keep the first.
        return (
            Comment.objects.for_article(self.target_object.pk)
            .filter(
                user_name=new.user_name,
                user_email=new.user_email,
                comment=new.comment,
                submit_date__date=new.submit_date.date(),
            )
            .first()
            or new
        )

    @property
    def fresh_data(self):
        """The reader's input with new anti-tampering values, to hand the form back."""
        data = self.data.copy()
        fresh = {
            **self.generate_security_data(),
            "started": spam.issue_started(self.target_object.pk),
        }
        for name, value in fresh.items():
            data[name] = value  # QueryDict.update() would add a second value, not replace
        return data
