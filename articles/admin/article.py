"""The article admin's configuration: list, form, permissions and URLs.

Role rules live in articles/workflow.py and are enforced through the permission hooks and the
forms (articles/forms.py), never by hiding buttons alone. The views beside the form live with
their idea: actions.py, preview.py, revisions.py, tagging.py.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from articles import workflow
from articles.admin.actions import WorkflowActionsMixin
from articles.admin.display import thumbnail_html
from articles.admin.filters import ArticleLicenceFilter, MineFilter, TagFilter, WorkflowStateFilter
from articles.admin.inlines import BylineInline, CorrectionInline, RelatedStoryInline
from articles.admin.photo_picker import PhotoChoiceField, PhotoPickerWidget
from articles.admin.preview import PreviewMixin
from articles.admin.related import RelatedStoryPickerView
from articles.admin.revisions import RevisionsMixin
from articles.admin.share_preview import share_preview_html
from articles.admin.tagging import TagAutocompleteMixin
from articles.desk.admin import EditorialNoteInline
from articles.forms import UNLINKED_REPORTER_MESSAGE, ArticleAdminForm, byline_prefetch
from articles.models import Article, Author, WorkflowState

# What the form's "Now" line says about each state, after its name.
STATE_EXPLANATIONS = {
    WorkflowState.DRAFT: "only staff can see it.",
    WorkflowState.REVIEW: "waiting for an editor.",
    WorkflowState.SCHEDULED: "goes live by itself on {when}.",
    WorkflowState.PUBLISHED: "live since {when}.",
}


class ArticleAdmin(
    WorkflowActionsMixin, PreviewMixin, TagAutocompleteMixin, RevisionsMixin, VersionAdmin
):
    form = ArticleAdminForm
    list_display = (
        "thumbnail",
        "headline",
        "section",
        "state_badge",
        "byline",
        "published_at",
        "view_count",
    )
    list_display_links = ("thumbnail", "headline")
    list_filter = (
        WorkflowStateFilter,
        MineFilter,
        "section",
        ("authors", admin.RelatedOnlyFieldListFilter),
        TagFilter,
        "published_at",
        ArticleLicenceFilter,
        "editors_pick",
    )
    search_fields = ("headline", "dek", "body", "authors__name")
    search_help_text = "Searches headline, summary, body and author names."
    date_hierarchy = "published_at"
    ordering = ("-updated_at", "-pk")
    list_per_page = 50
    prepopulated_fields = {"slug": ("headline",)}
    inlines = (BylineInline, RelatedStoryInline, CorrectionInline, EditorialNoteInline)
    readonly_fields = (
        "state_summary",
        "share_preview",
        "view_count",
        "created_at",
        "updated_at",
    )
    save_on_top = True
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"
    fieldsets = (
        (None, {"fields": ("headline", "slug", "dek", "byline_note", "body")}),
        ("Placement", {"fields": ("section", "tags", "lead_image", "editors_pick")}),
        ("Publishing", {"fields": ("state_summary", "status", "published_at", "loaded_version")}),
        (
            "Search and social",
            {
                "classes": ("collapse",),
                "description": "Optional. Each empty field uses the article's own: the headline, "
                "the summary and the lead image.",
                "fields": (
                    "seo_title",
                    "seo_description",
                    "social_headline",
                    "social_description",
                    "social_image",
                    "share_preview",
                ),
            },
        ),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("source_url", "view_count", "created_at", "updated_at"),
            },
        ),
    )

    # Queries --------------------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("lead_image", "social_image"):
            kwargs["widget"] = PhotoPickerWidget(db_field, self.admin_site)
            kwargs["form_class"] = PhotoChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("section", "lead_image")
            .prefetch_related(byline_prefetch())
        )

    # Permissions ----------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.can_delete(
            request.user, obj
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            # Placement and timing are the desk's decisions.
            fields += ["published_at", "editors_pick"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # Renaming a live article is a deliberate edit (its old URL answers 301, see
        # articles/redirects/); retyping the headline must not do it by itself.
        if obj is not None and obj.is_out():
            return {}
        return super().get_prepopulated_fields(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and self.has_add_permission(request)
            and not workflow.can_edit_any(user)
            and not Author.objects.filter(user=user).exists()
        ):
            self.message_user(request, UNLINKED_REPORTER_MESSAGE, messages.WARNING)
        return super().add_view(request, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None and self.has_view_or_change_permission(request, article):
            if refusal := workflow.delete_refusal(request.user, article):
                # Said in words, rather than a bare 403 or Django's "related objects" page.
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:articles_article_change", args=[quote(article.pk)])
                )
        return super().delete_view(request, object_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # Corrections belong to live articles: no empty section on drafts and new articles.
        if obj is None or not (obj.is_published() or obj.correction_log):
            inlines = [inline for inline in inlines if not isinstance(inline, CorrectionInline)]
        return inlines

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published() else None

    # List columns ---------------------------------------------------------------------------

    @admin.display(description="")
    def thumbnail(self, article):
        return thumbnail_html(article.lead_image, size=48)

    @admin.display(description="Status", ordering="status")
    def state_badge(self, article):
        state = article.workflow_state
        return format_html('<span class="nr-state nr-state--{}">{}</span>', state, state.label)

    @admin.display(description="Byline")
    def byline(self, article):
        return ", ".join(author.name for author in article.authors.all()) or "—"

    @admin.display(description="Now")
    def state_summary(self, article):
        if article.pk is None:
            return "New article: save it as a draft, or send it to review."
        state = article.workflow_state
        when = (
            date_format(timezone.localtime(article.published_at), "j M Y, H:i T")
            if article.published_at
            else ""
        )
        text = f"{state.label}: " + STATE_EXPLANATIONS[state].format(when=when)
        return format_html('<span class="nr-state nr-state--{}">{}</span>', state, text)

    @admin.display(description="Preview")
    def share_preview(self, article):
        return share_preview_html(article)

    # Pages ----------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        ended = Article.objects.with_ended_image_licence().count()
        extra_context = {"licence_ended_count": ended, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        saved = obj is not None and obj.pk is not None
        context.update(
            {
                "preview_url": reverse(
                    "admin:articles_article_preview", args=[quote(obj.pk)] if saved else []
                ),
                "draft_url": obj.get_absolute_url() if saved else "",
                "is_live": saved and obj.is_published(),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="{}_{}_preview".format(*info)),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "tags/",
                view(self.tag_autocomplete_view),
                name="{}_{}_tag_autocomplete".format(*info),
            ),
            path(
                "related/",
                view(RelatedStoryPickerView.as_view(admin_site=self.admin_site)),
                name="{}_{}_related_autocomplete".format(*info),
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]
