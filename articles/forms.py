"""The admin's forms: where the editorial rules meet what a person typed.

Every rule here is checked on the server whatever the browser sent: the status a user may set,
publishing requirements, the optimistic lock, and what an uploaded photo must be.
"""

from __future__ import annotations

import os

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from reversion.models import Version

from articles import images, workflow
from articles.models import Article, Author, Byline, ImageCredit
from articles.sanitize import sanitize_body
from articles.text import strip_control_characters

# What the body editor offers: exactly what articles/sanitize.py keeps, nothing more.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Code": True,
    "History": True,
    "HTML": True,
    "SpecialCharacters": True,
    # The editor turns the browser's spellcheck off by default; writers want it on.
    "NoSpellCheck": False,
}


def without_control_characters(data):
    """A copy of submitted form data with control characters removed from every text value."""

    def clean(value):
        return strip_control_characters(value) if isinstance(value, str) else value

    if hasattr(data, "lists"):
        items = data.lists()
    else:
        items = ((key, v if isinstance(v, list) else [v]) for key, v in data.items())
    copy = QueryDict(mutable=True)
    for key, values in items:
        copy.setlist(key, [clean(value) for value in values])
    return copy


class DeskModelForm(forms.ModelForm):
    """The base of every admin form: no control character typed or pasted is ever stored.

    They are invisible, invalid in the XML of feeds and sitemaps, and can hide text; tab and
    line breaks are kept (articles/text.py). Applied to what was submitted, so every field
    (tags and inline rows included) is covered.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = without_control_characters(data)
        super().__init__(data, *args, **kwargs)


class TagAutocompleteWidget(forms.SelectMultiple):
    """Select2 (as bundled with the admin) searching existing tags, and taking new ones."""

    template_name = "django/forms/widgets/select.html"

    def __init__(self, attrs=None, url_name="admin:articles_article_tag_autocomplete"):
        super().__init__(attrs)
        self.url_name = url_name

    @property
    def media(self):
        return forms.Media(
            js=(
                "admin/js/vendor/jquery/jquery.min.js",
                "admin/js/vendor/select2/select2.full.min.js",
                "admin/js/jquery.init.js",
                "articles/admin/tags.js",
            ),
            css={
                "screen": (
                    "admin/css/vendor/select2/select2.min.css",
                    "admin/css/autocomplete.css",
                )
            },
        )

    def format_value(self, value):
        if value is None:
            return []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        return [str(getattr(v, "name", v)) for v in value if str(getattr(v, "name", v))]

    def optgroups(self, name, value, attrs=None):
        # Only the chosen tags are rendered; the rest come from the search as the user types.
        return [(None, [self.create_option(name, v, v, True, i) for i, v in enumerate(value)], 0)]

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.setdefault("class", "")
        attrs["class"] += " tag-autocomplete"
        attrs["data-autocomplete-url"] = reverse(self.url_name)
        attrs["data-placeholder"] = "Type to find a tag or add a new one"
        return attrs


class TagAutocompleteField(forms.Field):
    """A list of tag names, existing or new; taggit's manager sets them on save."""

    widget = TagAutocompleteWidget

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = value.split(",")
        names = []
        for name in value:
            name = " ".join(str(name).split())[:100]
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names

    def prepare_value(self, value):
        return self.widget.format_value(value)

    def has_changed(self, initial, data):
        return sorted(self.widget.format_value(initial)) != sorted(self.to_python(data))


class ArticleAdminForm(DeskModelForm):
    """The article form, aware of who is using it (``user`` is set by ArticleAdmin.get_form)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    body = ProseEditorFormField(
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=sanitize_body,
        widget=AdminProseEditorWidget(attrs={"spellcheck": "true"}),
        required=False,
        help_text="Write as you would in print. Paste is cleaned: only paragraphs, subheadings, "
        "links, emphasis, lists and quotes are kept.",
    )
    tags = TagAutocompleteField(required=False, help_text="Type to search; Enter adds a new tag.")
    source_url = forms.URLField(
        label="Source URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Article._meta.get_field("source_url").help_text,
    )

    # Set per request by ArticleAdmin.get_form.
    user = None
    # When restoring a revision the row has been rewound, so the admin passes the live version.
    live_lock_version: int | None = None
    # The live preview validates what it can and shows the rest; it never takes the lock.
    for_preview = False

    class Meta:
        model = Article
        fields = (
            "headline",
            "slug",
            "dek",
            "body",
            "byline_note",
            "section",
            "tags",
            "lead_image",
            "editors_pick",
            "status",
            "published_at",
            "source_url",
            "seo_title",
            "seo_description",
            "social_headline",
            "social_description",
            "social_image",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["loaded_version"] = self.instance.lock_version
        status = self.fields.get("status")
        if status is not None and self.user is not None:
            allowed = workflow.allowed_statuses(self.user)
            status.choices = [c for c in status.choices if c[0] in allowed]
            status.error_messages["invalid_choice"] = (
                "Only an editor can publish or schedule an article. Choose “In review” to send "
                "it to the desk."
            )
            if not workflow.can_publish(self.user):
                status.help_text = "Set “In review” when it is ready for an editor."
            else:
                status.help_text = (
                    "Published with a future publish time means scheduled: it goes live at "
                    "that time by itself. Published with no time goes live now."
                )

    @property
    def changed_data(self):
        # The version the form was opened at is how the lock works, not an edit: History and
        # the change message never list it.
        return [name for name in super().changed_data if name != "loaded_version"]

    # Optimistic locking --------------------------------------------------------------------

    def _current_lock_version(self) -> int | None:
        if self.live_lock_version is not None:
            return self.live_lock_version
        # select_for_update holds the row until the admin's transaction commits, so the check
        # and the save cannot interleave with another editor's save (on PostgreSQL).
        return (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("lock_version", flat=True)
            .first()
        )

    def _conflict_message(self) -> str:
        latest = (
            Version.objects.get_for_object(self.instance)
            .select_related("revision__user")
            .order_by("-pk")
            .first()
        )
        who = "Someone"
        when = ""
        if latest is not None:
            user = latest.revision.user
            if user is not None:
                who = user.get_full_name() or user.get_username()
            when = " at " + date_format(
                timezone.localtime(latest.revision.date_created), "j M Y, H:i"
            )
        return (
            f"{who} saved this article{when}, after you opened it. Your changes have NOT been "
            "saved, so nothing of theirs was overwritten. Open the article again in another "
            "tab to see their version (History shows what changed), bring your changes "
            "across, then save."
        )

    def check_lock(self):
        if self.instance.pk is None or self.for_preview:
            return
        posted = self.cleaned_data.get("loaded_version")
        current = self._current_lock_version()
        if current is None:
            return
        if posted is None or posted != current:
            raise ValidationError(self._conflict_message(), code="conflict")
        self.instance.lock_version = current + 1

    # Validation ------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        self.check_lock()
        status = cleaned.get("status", self.instance.status)
        if status == Article.Status.PUBLISHED and "published_at" in self.fields:
            if not cleaned.get("published_at"):
                cleaned["published_at"] = timezone.now()
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # Checked on the instance as the form has filled it in, by the rules every way of
        # publishing shares (articles/workflow.py); the byline is the byline formset's to check.
        if self.instance.status != Article.Status.PUBLISHED or self.for_preview:
            return
        problems = workflow.content_problems(self.instance)
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.advice)
        if problems:
            self.add_error(
                None,
                ValidationError(
                    "This article cannot be published yet. It "
                    + workflow.needs_message(problems)
                    + " (marked below).",
                    code="not_publishable",
                ),
            )


class BylineForm(DeskModelForm):
    """One byline row. A new row that names an author is a byline to save, even one the form
    pre-filled and the user left as it was (Django skips unchanged extra rows)."""

    class Meta:
        model = Byline
        fields = ("position", "author")
        error_messages = {
            "author": {"required": "Choose the author for this byline row, or remove the row."}
        }

    def has_changed(self):
        return super().has_changed() or (self.instance.pk is None and bool(self["author"].data))


UNLINKED_REPORTER_MESSAGE = (
    "Your account is not linked to an author page, so you cannot be put on a byline and could "
    "not edit this article after saving it. Ask an editor to link your account to your author "
    "page (Authors → Staff account), then write."
)


class BylineFormSet(BaseInlineFormSet):
    """The ordered byline. Publishing needs one author; a reporter must stay on it."""

    user = None

    def _kept_forms(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.cleaned_data.get("author"):
                yield form

    def clean(self):
        super().clean()
        preview = getattr(self.instance, "_for_preview", False)
        user = self.user
        reporter = user is not None and not workflow.can_edit_any(user) and not preview
        own = Author.objects.filter(user=user).first() if reporter else None
        if reporter and own is None:
            # Said before any row's own error: the row cannot be filled in until this is fixed.
            raise ValidationError(UNLINKED_REPORTER_MESSAGE, code="no_profile")
        if any(self.errors):
            return
        authors = [form.cleaned_data["author"] for form in self._kept_forms()]
        if self.instance.status == Article.Status.PUBLISHED and not preview:
            if missing_author := workflow.byline_problem(len(authors)):
                raise ValidationError(missing_author.advice, code="no_author")
        if reporter:
            if own not in authors:
                raise ValidationError(
                    f"Keep yourself ({own.name}) on the byline: reporters can edit only the "
                    "articles they are bylined on.",
                    code="not_on_byline",
                )


class CorrectionFormSet(BaseInlineFormSet):
    """Corrections are appended to live articles only, and stamped with who wrote them."""

    user = None

    def clean(self):
        super().clean()
        new = [
            form
            for form in self.extra_forms
            if form.has_changed() and form.cleaned_data and form.cleaned_data.get("text")
        ]
        if new and not self.instance.is_published():
            raise ValidationError(
                "Corrections are appended to articles readers have seen. This one is not "
                "live: change its text directly instead.",
                code="not_live",
            )

    def save_new(self, form, commit=True):
        obj = form.save(commit=False)
        setattr(obj, self.fk.name, self.instance)
        obj.created_by = self.user
        if commit:
            obj.save()
        return obj


class PhotoUploadField(forms.FileField):
    """A photo upload checked by articles/images.py rather than Django's looser ImageField."""

    widget = AdminFileWidget

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None or not isinstance(upload, UploadedFile):
            return upload
        info = images.inspect_upload(upload)
        # Store the file under its real type, whatever its name claimed.
        stem = slugify(os.path.splitext(os.path.basename(upload.name))[0])[:80] or "photo"
        upload.name = f"{stem}.{info.extension}"
        upload.photo_info = info
        return upload


class ImageCreditAdminForm(DeskModelForm):
    """Stores what the editor typed or chose. A photo's own metadata is offered to them before
    saving (articles/admin/photo_metadata.py) and never applied here."""

    class Meta:
        model = ImageCredit
        field_classes = {"image": PhotoUploadField}
        fields = (
            "image",
            "alt_text",
            "caption",
            "place",
            "credit_line",
            "creator",
            "sources",
            "copyright_notice",
            "licence_terms",
            "licence_ends_on",
        )


class AuthorAdminForm(DeskModelForm):
    class Meta:
        model = Author
        fields = ("name", "slug", "email", "bio", "photo", "user")
        field_classes = {"photo": PhotoUploadField}


class ScheduleForm(forms.Form):
    """The publish time asked for by the "Schedule" action."""

    publish_at = forms.SplitDateTimeField(
        label="Publish at",
        help_text="In the site's time zone. The articles go live at this time by themselves.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.admin.widgets import AdminSplitDateTime

        self.fields["publish_at"].widget = AdminSplitDateTime()

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError("Choose a time in the future, or use “Publish now”.")
        return value


def byline_prefetch():
    return Prefetch("authors", queryset=Author.objects.order_by("byline__position", "byline__pk"))
