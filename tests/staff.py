"""Helpers for tests that act as newsroom staff: users in the Reporter and Editor groups, and
the POST data the article admin form sends (its inlines included)."""

from __future__ import annotations

import importlib
import itertools
from html.parser import HTMLParser

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author

PASSWORD = "a-long-test-password-1"
_numbers = itertools.count(1)


def ensure_role_groups() -> None:
    """Make the groups as migrations 0003 and 0015 do: a flushed (transactional) test database
    has lost what migrations wrote."""
    if Group.objects.filter(name__in=["Reporter", "Editor"]).count() == 2:
        return
    from django.apps import apps

    # 0015 makes 0003's groups first, then grants the desk's newer permissions.
    migration = importlib.import_module("articles.migrations.0015_desk_roles")
    migration.grant(apps, None)


def staff_user(group: str, *, username: str | None = None, author: Author | None = None) -> User:
    """A staff user in ``group`` ("Reporter" or "Editor"), linked to ``author`` if given."""
    ensure_role_groups()
    user = User.objects.create_user(
        username or f"{group.lower()}{next(_numbers)}",
        password=PASSWORD,
        is_staff=True,
        first_name=group,
        last_name="Tester",
    )
    user.groups.add(Group.objects.get(name=group))
    if author is not None:
        author.user = user
        author.save()
    return user


def add_url() -> str:
    return reverse("admin:articles_article_add")


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _local(value):
    value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")


def article_form_data(
    article: Article | None = None,
    *,
    authors: list[Author] | None = None,
    related: list[Article] | None = None,
    corrections: list[dict] | None = None,
    notes: list[str] | None = None,
    include_published_at: bool = True,
    **fields,
) -> dict:
    """What the article change form posts: the article's current values, then ``fields``."""
    data: dict = {}
    if article is not None:
        data.update(
            headline=article.headline,
            slug=article.slug,
            dek=article.dek,
            body=article.body,
            byline_note=article.byline_note,
            section=article.section_id or "",
            lead_image=article.lead_image_id or "",
            status=article.status,
            source_url=article.source_url,
            loaded_version=article.lock_version,
        )
        if article.editors_pick:
            data["editors_pick"] = "on"
        if article.published_at and include_published_at:
            data["published_at_0"], data["published_at_1"] = _local(article.published_at)
        tags = [tag.name for tag in article.tags.all()]
        if tags:
            data["tags"] = tags
    published_at = fields.pop("published_at", None)
    if published_at is not None:
        data["published_at_0"], data["published_at_1"] = _local(published_at)
    data.update(fields)

    existing_bylines = list(article.byline_set.order_by("position", "pk")) if article else []
    if authors is None:
        rows = [
            {"id": b.pk, "author": b.author_id, "position": b.position} for b in existing_bylines
        ]
    else:
        # Replace the byline: existing rows are deleted, the given authors added in order.
        rows = [
            {"id": b.pk, "author": b.author_id, "position": b.position, "DELETE": "on"}
            for b in existing_bylines
        ] + [{"author": author.pk, "position": i} for i, author in enumerate(authors)]
    data["byline_set-TOTAL_FORMS"] = len(rows)
    data["byline_set-INITIAL_FORMS"] = len(existing_bylines)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"byline_set-{index}-{key}"] = value

    existing_related = list(article.related_stories.all()) if article else []
    rows = [
        {
            "id": story.pk,
            "rail": story.rail,
            "position": story.position,
            "target": story.target_id or "",
            "headline": story.headline,
            "section_label": story.section_label,
        }
        for story in existing_related
    ]
    rows += [
        {"rail": "Related Stories", "position": position, "target": target.pk}
        for position, target in enumerate(related or [])
    ]
    data["related_stories-TOTAL_FORMS"] = len(rows)
    data["related_stories-INITIAL_FORMS"] = len(existing_related)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"related_stories-{index}-{key}"] = value

    # Notes to the desk: the earlier ones as read-only rows, then the box for a new one, posted
    # empty unless ``notes`` are given (as the browser posts it untouched).
    existing_notes = list(article.notes.all()) if article is not None else []
    new_notes = notes or [""]
    data["notes-TOTAL_FORMS"] = len(existing_notes) + len(new_notes)
    data["notes-INITIAL_FORMS"] = len(existing_notes)
    for index, note in enumerate(existing_notes):
        data[f"notes-{index}-id"] = note.pk
    for offset, text in enumerate(new_notes, start=len(existing_notes)):
        data[f"notes-{offset}-text"] = text

    if article is not None and (article.is_published() or article.correction_log):
        existing = list(article.corrections.all())
        new = corrections or []
        data["corrections-TOTAL_FORMS"] = len(existing) + len(new)
        data["corrections-INITIAL_FORMS"] = len(existing)
        for index, correction in enumerate(existing):
            data[f"corrections-{index}-id"] = correction.pk
        for offset, correction in enumerate(new, start=len(existing)):
            for key, value in correction.items():
                data[f"corrections-{offset}-{key}"] = value
    return data


def errors_of(response) -> str:
    """Every error the admin form shows, as text, for assertion messages."""
    parts = []
    context = response.context
    if context is None:
        return f"status {response.status_code}"
    form = context.get("adminform")
    if form is not None:
        parts.append(str(form.form.errors))
    for formset in context.get("inline_admin_formsets", []):
        parts.append(str(formset.formset.errors) + str(formset.formset.non_form_errors()))
    return " ".join(parts)


class _FormFields(HTMLParser):
    """The successful controls of one <form>, collected as a browser submits them."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            self._options = []
        elif tag == "option" and self._select:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs}
            self._text = []
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            self._options.append(
                (value if value is not None else "".join(self._text), self._option["selected"])
            )
            self._option = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one line break that follows <textarea>.
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def browser_post_data(html: str, form_id: str, **typed) -> dict:
    """What a browser posts from ``form_id`` in ``html`` (untouched pre-filled rows and the
    inline templates included), with ``typed`` values as the user typed or chose them."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    for name, value in typed.items():
        data[name] = value if isinstance(value, list) else [value]
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}
