"""The related-story picker: which articles it offers, in what order, and how each reads.

The admin's own autocomplete offers the article being edited, ranks body matches with
headline matches, and shows only the headline. Here the article itself is left out, headline
matches come first (newest first within each group), and each choice says its section, status
and date so two similar headlines can be told apart.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.forms import DeskModelForm
from articles.models import Article, RelatedStory

PICKER_URL_NAME = "admin:articles_article_related_autocomplete"


def describe_choice(article: Article) -> str:
    """ "Headline — Section · Status · 3 Mar 2026", as the picker lists an article."""
    when = article.published_at or article.updated_at
    details = [
        article.section.name if article.section_id else "No section",
        article.workflow_state.label,
    ]
    if when:
        details.append(date_format(timezone.localtime(when), "j M Y"))
    return f"{article.headline} — {' · '.join(details)}"


class RelatedStoryTargetWidget(AutocompleteSelect):
    """The admin's autocomplete box, asking the picker view below and naming the article to
    leave out (set per form by RelatedStoryInline.get_formset)."""

    exclude_pk: int | None = None

    def get_url(self):
        url = reverse(PICKER_URL_NAME)
        return f"{url}?{urlencode({'exclude': self.exclude_pk})}" if self.exclude_pk else url


class RelatedStoryTargetField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return describe_choice(obj)


class RelatedStoryForm(DeskModelForm):
    class Meta:
        model = RelatedStory
        fields = ("rail", "position", "target", "headline", "section_label")
        field_classes = {"target": RelatedStoryTargetField}


class RelatedStoryPickerView(AutocompleteJsonView):
    """The admin's autocomplete, for the related-story box only."""

    def get_queryset(self):
        queryset = super().get_queryset().select_related("section").defer("body")
        exclude = self.request.GET.get("exclude", "")
        if exclude.isdigit():
            queryset = queryset.exclude(pk=int(exclude))
        term = self.term.strip()
        headline_first = Case(
            When(headline__icontains=term, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return queryset.annotate(headline_match=headline_first).order_by(
            "headline_match", F("published_at").desc(nulls_last=True), "-pk"
        )

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": describe_choice(obj)}
