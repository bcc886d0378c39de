"""What changed between two revisions of an article, word by word, for the compare page."""

from __future__ import annotations

import difflib
import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags

from articles.models import Article, Author, Byline, ImageCredit, RelatedStory, Section

COMPARED_FIELDS = (
    ("headline", "Headline"),
    ("slug", "Slug"),
    ("dek", "Summary"),
    ("byline_note", "Byline display line"),
    ("body", "Body"),
    ("section_id", "Section"),
    ("lead_image_id", "Lead image"),
    ("status", "Status"),
    ("published_at", "Publish time"),
    ("editors_pick", "Editor's pick"),
)


def _body_text(html: str) -> str:
    text = re.sub(r"</(p|h[1-6]|li|blockquote)>", "\n\n", html or "")
    return re.sub(r"\n{3,}", "\n\n", strip_tags(text)).strip()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in "same", "del", "ins", splitting on words and keeping spaces."""
    a = re.findall(r"\s+|[^\s]+", old or "")
    b = re.findall(r"\s+|[^\s]+", new or "")
    result = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                result.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                result.append(("ins", "".join(b[j1:j2])))
    return result


def _related_lines(version, model, describe):
    lines = []
    for item in version.revision.version_set.filter(
        content_type__app_label="articles", content_type__model=model._meta.model_name
    ):
        data = item.field_dict
        lines.append((data.get("position", 0), describe(data)))
    return "\n".join(text for _, text in sorted(lines))


def _describe(field, value):
    if value in (None, ""):
        return ""
    if field == "section_id":
        return str(Section.objects.filter(pk=value).first() or f"#{value}")
    if field == "lead_image_id":
        return str(ImageCredit.objects.filter(pk=value).first() or f"#{value}")
    if field == "status":
        return Article.Status(value).label
    if field == "published_at":
        return date_format(timezone.localtime(value), "j M Y, H:i T")
    if field == "editors_pick":
        return "Yes" if value else "No"
    if field == "body":
        return _body_text(value)
    return str(value)


def compare_versions(old, new) -> list[dict]:
    """One row per compared field and per inline (byline, related stories), each with its diff."""
    old_data, new_data = old.field_dict, new.field_dict
    authors = dict(Author.objects.values_list("pk", "name"))
    rows = []
    for field, label in COMPARED_FIELDS:
        before = _describe(field, old_data.get(field))
        after = _describe(field, new_data.get(field))
        rows.append({"label": label, "changed": before != after, "diff": word_diff(before, after)})

    def byline(data):
        return authors.get(data.get("author_id") or data.get("author"), "?")

    def related(data):
        headline = data.get("headline") or f"article #{data.get('target_id')}"
        return f"{data.get('rail')}: {headline}"

    for label, model, describe in (
        ("Byline", Byline, byline),
        ("Related stories", RelatedStory, related),
    ):
        before = _related_lines(old, model, describe)
        after = _related_lines(new, model, describe)
        rows.append({"label": label, "changed": before != after, "diff": word_diff(before, after)})
    return rows
