"""Notes on an article's form, and the autosaved form drafts with their two small endpoints."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone

from articles import workflow
from articles.desk.models import EditorialNote, FormDraft
from articles.forms import DeskModelForm
from articles.models import Article

# The admin opens on the dashboard and every page has its breadcrumbs: the models' side column
# would only take a quarter of a 1280 px screen from the article list and the forms.
admin.site.enable_nav_sidebar = False

# A draft larger than this is refused rather than stored (a body of a few hundred kilobytes
# is already a very long story).
MAX_DRAFT_BYTES = 2 * 1024 * 1024


class _NoteFormSet(BaseInlineFormSet):
    user = None

    def save_new(self, form, commit=True):
        form.instance.author = self.user
        return super().save_new(form, commit)


class EditorialNoteInline(admin.StackedInline):
    """The conversation on the article's form: earlier notes as written, a box for a new one."""

    form = DeskModelForm
    model = EditorialNote
    formset = _NoteFormSet
    fields = ("signature", "text")
    readonly_fields = ("signature",)
    extra = 1
    classes = ("nr-notes",)

    @admin.display(description="From")
    def signature(self, note):
        return note.signature if note.pk else "You, when you save"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        return False  # a note stays as written

    def has_view_permission(self, request, obj=None):
        # A new article has no conversation yet: no empty box on the add form.
        adding = request.resolver_match and request.resolver_match.url_name.endswith("_add")
        return super().has_view_permission(request, obj) and not adding

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        # Whoever may see the article may add to its conversation, even when it is locked for
        # them (a reporter answering on a story in review).
        return super().has_add_permission(request, obj) and obj is not None


def _saved_since(draft: FormDraft, article: Article | None) -> bool:
    """Was the form saved after ``draft`` was kept? For a new article: has this person since
    created one with the draft's headline?"""
    if article is not None:
        return draft.saved_at <= article.updated_at
    headline = draft.fields.get("headline")
    return (
        bool(headline)
        and Article.objects.filter(
            headline=headline, created_at__gte=draft.saved_at - KEEP_INTERVAL
        ).exists()
    )


def _is_form_data(fields) -> bool:
    """What a form posts: names, each with a text value or a list of them (a multiple select)."""
    return isinstance(fields, dict) and all(
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(item, str) for item in value))
        for value in fields.values()
    )


# How often the form sends what was typed (articles/static/articles/admin/keep_drafts.js).
KEEP_INTERVAL = dt.timedelta(seconds=10)


@admin.register(FormDraft)
class FormDraftAdmin(admin.ModelAdmin):
    """Each person's autosaved drafts: listed so nothing typed is out of reach."""

    form = DeskModelForm
    list_display = ("__str__", "article", "saved_at")
    list_select_related = ("article",)
    fields = ("article", "saved_at", "fields")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.user_id == request.user.pk

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("keep/", view(self.keep_view), name="articles_formdraft_keep"),
            path("keep/<int:article_id>/", view(self.keep_view), name="articles_formdraft_keep"),
            *super().get_urls(),
        ]

    @staticmethod
    def _article(request, article_id):
        if article_id is None:
            if not request.user.has_perm("articles.add_article"):
                raise PermissionDenied
            return None
        article = get_object_or_404(Article, pk=article_id)
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        return article

    @staticmethod
    def _reply(draft: FormDraft | None):
        if draft is None:
            return JsonResponse({"draft": None})
        return JsonResponse(
            {"draft": {"fields": draft.fields, "saved_at": draft.saved_at.isoformat()}}
        )

    def keep_view(self, request, article_id=None):
        """GET: the person's draft if newer than the article's last save. POST: keep the form
        as typed (a JSON object of field names to values). DELETE: throw it away."""
        if request.method not in ("GET", "POST", "DELETE"):
            return HttpResponseNotAllowed(["GET", "POST", "DELETE"])
        article = self._article(request, article_id)
        drafts = FormDraft.objects.filter(user=request.user, article=article)
        if request.method == "DELETE":
            drafts.delete()
            return self._reply(None)
        if request.method == "GET":
            draft = drafts.first()
            if draft is not None and _saved_since(draft, article):
                draft.delete()  # nothing is lost: the form was saved after it
                draft = None
            return self._reply(draft)
        if len(request.body) > MAX_DRAFT_BYTES:
            return JsonResponse({"error": "This draft is too large to keep."}, status=413)
        try:
            fields = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"error": "The draft was not readable JSON."}, status=400)
        if not _is_form_data(fields):
            return JsonResponse({"error": "A draft maps field names to values."}, status=400)
        draft, _ = FormDraft.objects.update_or_create(
            user=request.user,
            article=article,
            defaults={"fields": fields, "saved_at": timezone.now()},
        )
        return self._reply(draft)
