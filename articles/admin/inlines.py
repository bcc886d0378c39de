"""The article form's inline rows: byline, related stories and corrections."""

from __future__ import annotations

from django.contrib import admin

from articles.admin.related import RelatedStoryForm, RelatedStoryTargetWidget
from articles.forms import BylineForm, BylineFormSet, CorrectionFormSet, DeskModelForm
from articles.models import Author, Byline, Correction, RelatedStory


class BylineInline(admin.TabularInline):
    model = Byline
    form = BylineForm
    formset = BylineFormSet
    extra = 0
    min_num = 1
    autocomplete_fields = ("author",)
    fields = ("position", "author")
    verbose_name = "byline author"
    verbose_name_plural = "Byline (in order: lowest position first)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        if obj is None:
            # A reporter starts bylined on their own article.
            own = Author.objects.filter(user=request.user).first()
            if own is not None:
                formset = type(
                    formset.__name__,
                    (formset,),
                    {"__init__": _with_initial([{"author": own.pk, "position": 0}])},
                )
        return formset


def _with_initial(initial):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", initial)
        super(type(self), self).__init__(*args, **kwargs)

    return __init__


class RelatedStoryInline(admin.TabularInline):
    model = RelatedStory
    form = RelatedStoryForm
    fk_name = "article"
    extra = 0
    fields = ("rail", "position", "target", "headline", "section_label")
    verbose_name_plural = "Related stories (in order: lowest position first within each rail)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            kwargs["widget"] = RelatedStoryTargetWidget(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The form class (and its widget) is built afresh for each request; the admin wraps
        # the picker in its add/change links.
        formset.form.base_fields["target"].widget.widget.exclude_pk = obj.pk if obj else None
        return formset


class CorrectionInline(admin.StackedInline):
    """Appending only: existing corrections show read-only and cannot be removed."""

    model = Correction
    form = DeskModelForm
    formset = CorrectionFormSet
    extra = 0
    fields = ("kind", "text", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")
    verbose_name_plural = "Corrections and editor's notes (appended, dated, never removed)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and obj is not None and obj.is_published()

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
