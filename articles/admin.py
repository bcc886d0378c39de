"""The desk's tool: articles with roles, scheduling, revisions and previews; photos; corrections.

Role rules live in articles/workflow.py and are enforced here through the ModelAdmin permission
hooks and in the forms (articles/forms.py), never by hiding buttons alone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import Tag

from articles import workflow
from articles.desk.admin import EditorialNoteInline
from articles.forms import (
    ArticleAdminForm,
    BylineFormSet,
    CorrectionFormSet,
    ImageCreditAdminForm,
    ScheduleForm,
    byline_prefetch,
)
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ImageCredit,
    ImageSource,
    RelatedStory,
    Section,
)

LICENCE_WARNING_DAYS = 30


def thumbnail_html(credit, size=64):
    picture = credit.picture if credit is not None else None
    if picture is None:
        return mark_safe('<span class="nr-thumb nr-thumb--empty" aria-hidden="true"></span>')
    return format_html(
        '<img class="nr-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy">',
        picture.thumbnail_url,
        size,
        round(size * picture.height / picture.width) if picture.width else size,
    )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "article_count")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(article_count=Count("articles"))
        # Aggregation drops Meta.ordering; keep it for stable pages and autocomplete.
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, section):
        return section.article_count


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "user", "article_count")
    list_select_related = ("user",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "email")
    autocomplete_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "email", "bio", "photo")}),
        (
            "Staff account",
            {
                "fields": ("user",),
                "description": "Link the reporter's login here: it is how “My articles” "
                "and a reporter's right to edit their own drafts work.",
            },
        ),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(article_count=Count("articles"))
        # Aggregation drops Meta.ordering; keep it for stable pages and autocomplete.
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, author):
        return author.article_count


class LicenceFilter(admin.SimpleListFilter):
    title = "image licence"
    parameter_name = "licence"

    def lookups(self, request, model_admin):
        return (
            ("ended", "Ended"),
            ("ending", f"Ends within {LICENCE_WARNING_DAYS} days"),
            ("open", "No end date"),
        )

    def _prefix(self):
        return ""

    def queryset(self, request, queryset):
        today = timezone.localdate()
        field = self._prefix() + "licence_ends_on"
        if self.value() == "ended":
            return queryset.filter(**{f"{field}__lt": today})
        if self.value() == "ending":
            return queryset.filter(
                **{
                    f"{field}__gte": today,
                    f"{field}__lte": today + dt.timedelta(days=LICENCE_WARNING_DAYS),
                }
            )
        if self.value() == "open":
            return queryset.filter(**{f"{field}__isnull": True})
        return queryset


@admin.register(ImageSource)
class ImageSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "credit_count")
    list_filter = ("kind",)
    search_fields = ("name",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(credit_count=Count("credits"))
        # Aggregation drops Meta.ordering; keep it for stable pages and autocomplete.
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="Images credited", ordering="credit_count")
    def credit_count(self, source):
        url = reverse("admin:articles_imagecredit_changelist") + f"?sources__id__exact={source.pk}"
        return format_html('<a href="{}">{}</a>', url, source.credit_count)


@admin.register(ImageCredit)
class ImageCreditAdmin(admin.ModelAdmin):
    form = ImageCreditAdminForm
    list_display = (
        "thumbnail",
        "__str__",
        "credit_line",
        "creator",
        "dimensions",
        "licence_ends_on",
        "used_on",
    )
    list_display_links = ("thumbnail", "__str__")
    list_filter = (LicenceFilter, "sources")
    search_fields = ("caption", "place", "credit_line", "creator", "sources__name", "alt_text")
    filter_horizontal = ("sources",)
    readonly_fields = ("preview", "dimensions")
    fieldsets = (
        (None, {"fields": ("image", "preview", "dimensions", "alt_text")}),
        (
            "Caption and credit",
            {"fields": ("caption", "place", "credit_line", "creator", "sources")},
        ),
        ("Rights", {"fields": ("copyright_notice", "licence_terms", "licence_ends_on")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(article_count=Count("lead_of"))
        # Aggregation drops Meta.ordering; keep it for stable pages and autocomplete.
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="Image")
    def thumbnail(self, credit):
        return thumbnail_html(credit)

    @admin.display(description="Preview")
    def preview(self, credit):
        if not credit.pk or not credit.image:
            return "Upload a photo and save to see it here."
        return thumbnail_html(credit, size=320)

    @admin.display(description="Size in pixels")
    def dimensions(self, credit):
        return f"{credit.width} × {credit.height}" if credit.width else "—"

    @admin.display(description="Lead image of", ordering="article_count")
    def used_on(self, credit):
        count = getattr(credit, "article_count", None)
        if not count:
            return "—"
        url = reverse("admin:articles_article_changelist") + f"?lead_image__id__exact={credit.pk}"
        return format_html('<a href="{}">{} article{}</a>', url, count, "s" if count > 1 else "")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "prefilled", None):
            messages.info(
                request,
                "Filled in from the photo's own metadata: "
                + ", ".join(form.prefilled)
                + ". Check them before publishing.",
            )


class BylineInline(admin.TabularInline):
    model = Byline
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
    fk_name = "article"
    extra = 0
    autocomplete_fields = ("target",)
    fields = ("rail", "position", "target", "headline", "section_label")
    verbose_name_plural = "Related stories (in order: lowest position first within each rail)"


class CorrectionInline(admin.StackedInline):
    """Appending only: existing corrections show read-only and cannot be removed."""

    model = Correction
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


class WorkflowStateFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("draft", "review"):
            return queryset.filter(status=value)
        if value == "scheduled":
            return queryset.scheduled()
        if value == "published":
            return queryset.published()
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "byline"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return (("1", "My articles"),)

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(byline__author__user=request.user)
        return queryset


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(tag.slug, tag.name) for tag in Article.tags.most_common()[:40]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class ArticleLicenceFilter(LicenceFilter):
    """On the article list, only articles that are out (live or scheduled) matter."""

    title = "lead image licence"

    def _prefix(self):
        return "lead_image__"

    def queryset(self, request, queryset):
        filtered = super().queryset(request, queryset)
        if self.value():
            return filtered.filter(status=Article.Status.PUBLISHED)
        return filtered

    def lookups(self, request, model_admin):
        return (
            ("ended", "Ended (published articles)"),
            ("ending", f"Ends within {LICENCE_WARNING_DAYS} days (published articles)"),
        )


def _outcome_message(modeladmin, request, outcome, verb):
    def plural(count):
        return f"{count} article{'s' if count > 1 else ''}"

    if outcome.done:
        titles = ", ".join(f"“{Truncator(a.headline).chars(50)}”" for a in outcome.done)
        count = len(outcome.done)
        modeladmin.message_user(
            request,
            f"{verb} {count} article{'s' if count > 1 else ''}: {titles}.",
            messages.SUCCESS,
        )
    if outcome.skipped:
        reasons = "; ".join(
            f"“{Truncator(a.headline).chars(50)}” ({reason})" for a, reason in outcome.skipped
        )
        count = len(outcome.skipped)
        modeladmin.message_user(
            request,
            f"Skipped {count} article{'s' if count > 1 else ''}: {reasons}.",
            messages.WARNING,
        )
    if not outcome.done and not outcome.skipped:
        modeladmin.message_user(request, "No articles were selected.", messages.WARNING)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
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
    autocomplete_fields = ("lead_image",)
    inlines = (BylineInline, RelatedStoryInline, CorrectionInline, EditorialNoteInline)
    readonly_fields = ("state_summary", "view_count", "created_at", "updated_at")
    save_on_top = True
    history_latest_first = True
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    actions = ("publish_now", "schedule", "unpublish", "return_to_draft", "submit_for_review")
    fieldsets = (
        (None, {"fields": ("headline", "slug", "dek", "byline_note", "body")}),
        ("Placement", {"fields": ("section", "tags", "lead_image", "editors_pick")}),
        ("Publishing", {"fields": ("state_summary", "status", "published_at", "loaded_version")}),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("source_url", "view_count", "created_at", "updated_at"),
            },
        ),
    )

    # Queries --------------------------------------------------------------------------------

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

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields.append("published_at")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        live = getattr(request, "_article_live", None)
        return type(
            form.__name__,
            (form,),
            {
                "user": request.user,
                "live_lock_version": live["lock_version"] if live else None,
            },
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        live = getattr(request, "_article_live", None)
        if obj is not None and live and obj.pk == live["pk"]:
            # Restoring a revision rewinds the row; what is not content stays as it is now.
            for name in ("view_count", "lock_version", "correction_log"):
                setattr(obj, name, live[name])
        return obj

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
        return format_html(
            '<span class="nr-state nr-state--{}">{}</span>',
            state,
            article.get_workflow_state_display(),
        )

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
        text = {
            "draft": "Draft: only staff can see it.",
            "review": "In review: waiting for an editor.",
            "scheduled": f"Scheduled: goes live by itself on {when}.",
            "published": f"Published: live since {when}.",
        }[state]
        return format_html('<span class="nr-state nr-state--{}">{}</span>', state, text)

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

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        action_list = []
        if obj is not None:
            versions = (
                Version.objects.get_for_object(obj)
                .select_related("revision__user")
                .order_by("-revision__date_created", "-pk")
            )
            action_list = [
                {
                    "revision": version.revision,
                    "version_id": version.pk,
                    "url": reverse(
                        "admin:articles_article_revision", args=[quote(obj.pk), version.pk]
                    ),
                }
                for version in versions
            ]
        return super().history_view(
            request, object_id, {"action_list": action_list, **(extra_context or {})}
        )

    # Actions ------------------------------------------------------------------------------

    def _run(self, request, queryset, move, verb, **kwargs):
        with transaction.atomic():
            articles = list(queryset.select_for_update(of=("self",)).select_related("lead_image"))
            outcome = move(articles, user=request.user, **kwargs)
            if outcome.done and reversion.is_active():
                reversion.set_comment(f"{verb} from the article list.")
        _outcome_message(self, request, outcome, verb)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._run(request, queryset, workflow.publish_now, "Published")

    @admin.action(description="Schedule…", permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            when = form.cleaned_data["publish_at"]
            self._run(
                request,
                queryset,
                workflow.schedule,
                "Scheduled for " + date_format(timezone.localtime(when), "j M Y, H:i T") + ":",
                when=when,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule articles",
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "articles": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/schedule.html", context)

    @admin.action(description="Unpublish (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run(request, queryset, workflow.unpublish, "Unpublished")

    @admin.action(description="Return to draft (from review)", permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self._run(request, queryset, workflow.return_to_draft, "Returned to draft")

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._run(request, queryset, workflow.submit_for_review, "Sent to review")

    # Extra views: preview, tag search, revision comparison ------------------------------------

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
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def tag_autocomplete_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        tags = Tag.objects.order_by("name")
        if term:
            tags = tags.filter(name__icontains=term)
        page_param = request.GET.get("page", "1")
        page = max(int(page_param), 1) if page_param.isdigit() else 1
        size = 20
        names = list(tags.values_list("name", flat=True)[(page - 1) * size : page * size + 1])
        return JsonResponse(
            {
                "results": [{"id": name, "text": name} for name in names[:size]],
                "pagination": {"more": len(names) > size},
            }
        )

    def preview_view(self, request, object_id=None):
        """Render the unsaved form in the real article template, then roll everything back."""
        if request.method != "POST":
            raise Http404("Preview is made from the article form.")
        obj = None
        if object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        change = obj is not None
        form_class = self.get_form(request, obj, change=change)
        form_class = type(form_class.__name__, (form_class,), {"for_preview": True})
        form = form_class(request.POST, request.FILES, instance=obj)
        errors = []
        response = None
        try:
            with transaction.atomic():
                if form.is_valid():
                    article = form.save(commit=False)
                    article._for_preview = True
                    article.save()
                    form.save_m2m()
                    formsets, _ = self._create_formsets(request, article, change=change)
                    for formset in formsets:
                        if formset.model is Correction:
                            continue
                        if formset.is_valid():
                            formset.save()
                        else:
                            errors.extend(formset.non_form_errors())
                    article = Article.objects.for_detail().get(pk=article.pk)
                    response = TemplateResponse(
                        request,
                        "articles/article_detail.html",
                        {"article": article, "object": article, "unsaved_preview": True},
                    )
                    response.render()
                else:
                    errors = [
                        f"{form.fields[name].label if name in form.fields else ''}: {e}"
                        if name != "__all__"
                        else str(e)
                        for name, error_list in form.errors.items()
                        for e in error_list
                    ]
                raise _RollBack
        except _RollBack:
            pass
        if response is None:
            return TemplateResponse(
                request,
                "admin/articles/article/preview_errors.html",
                {**self.admin_site.each_context(request), "errors": errors, "opts": self.opts},
                status=400,
            )
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def compare_view(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        try:
            old = versions.get(pk=int(request.GET.get("from", "")))
            new = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, Version.DoesNotExist):
            messages.warning(request, "Choose two revisions to compare.")
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=[quote(article.pk)])
            )
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare revisions of “{article.headline}”",
            "opts": self.opts,
            "original": article,
            "old": old,
            "new": new,
            "rows": compare_versions(old, new),
            "revert_url": reverse(
                "admin:articles_article_revision", args=[quote(article.pk), old.pk]
            ),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    # Revisions: restoring keeps what is not content --------------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():
            live = (
                Article.objects.select_for_update()
                .filter(pk=unquote(object_id))
                .values("pk", "view_count", "lock_version", "correction_log")
                .first()
            )
            if live is None:
                raise Http404
            request._article_live = live
            response = super().revision_view(request, object_id, version_id, extra_context)
            # The restore rewrites the row from the revision, which holds no view count, and
            # article saves never write the count; the row stays locked since the snapshot,
            # so putting the snapshot's count back loses no reader's view.
            Article.objects.filter(pk=live["pk"]).update(view_count=live["view_count"])
            return response


class _RollBack(Exception):
    pass


# Comparing revisions ----------------------------------------------------------------------------

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


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The corrections log: every correction the site has printed. Added from the article."""

    list_display = ("created_at", "kind", "article_link", "excerpt", "created_by")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("article", "created_by")
    search_fields = ("text", "article__headline")
    date_hierarchy = "created_at"
    readonly_fields = ("article", "created_at", "created_by")
    fields = ("article", "kind", "text", "created_at", "created_by")

    @admin.display(description="Article", ordering="article__headline")
    def article_link(self, correction):
        url = reverse("admin:articles_article_change", args=[quote(correction.article_id)])
        return format_html('<a href="{}">{}</a>', url, correction.article.headline)

    @admin.display(description="Text")
    def excerpt(self, correction):
        return Truncator(correction.text).chars(100)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


from articles.fronts import admin as fronts_admin  # noqa: E402, F401
from articles.redirects import admin as redirects_admin  # noqa: E402, F401
