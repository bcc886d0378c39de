"""An article's revisions: the history list, comparing two revisions, and restoring one.

Restoring brings back content (headline, summary, body, byline, related stories, placement);
the workflow state, the publish time, the view count, the lock and the corrections log stay as
they are now, and so does the slug of an article that is out. Who may restore is decided on
the article as it is stored, before the rewind.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from reversion.models import Version

from articles.admin.diff import compare_versions
from articles.models import Article

# Kept from the row as it is now when a revision is restored.
NOT_RESTORED = ("status", "published_at", "view_count", "lock_version", "correction_log")
# Shown but not taken from the restore form: a restore never moves the article in the workflow.
KEPT_ON_RESTORE = ("status", "published_at")


class RevisionsMixin:
    """For a VersionAdmin of articles (django-reversion)."""

    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"

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

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():
            live = (
                Article.objects.select_for_update()
                .filter(pk=unquote(object_id))
                .values("pk", "slug", *NOT_RESTORED)
                .first()
            )
            if live is None:
                raise Http404
            stored = Article.objects.get(pk=live["pk"])
            if not self.has_change_permission(request, stored):
                messages.error(
                    request,
                    "Only an editor can restore a revision of a live or scheduled article."
                    if stored.is_out()
                    else "You may not change this article, so you cannot restore its revisions.",
                )
                return HttpResponseRedirect(
                    reverse("admin:articles_article_history", args=[quote(stored.pk)])
                )
            request._article_live = live
            response = super().revision_view(request, object_id, version_id, extra_context)
            # The restore rewrites the row from the revision, which holds no view count, and
            # article saves never write the count; the row stays locked since the snapshot,
            # so putting the snapshot's count back loses no reader's view.
            Article.objects.filter(pk=live["pk"]).update(view_count=live["view_count"])
            return response

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        live = getattr(request, "_article_live", None)
        if obj is not None and live and obj.pk == live["pk"]:
            for name in NOT_RESTORED:
                setattr(obj, name, live[name])
            obj._stored_status = live["status"]
            if obj.is_out():
                # Its public URL is out there (the restore form shows the slug read-only): a
                # restore keeps it; only a deliberate rename in the edit form changes it.
                obj.slug = live["slug"]
        return obj

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "_article_live", None):
            fields += [name for name in KEPT_ON_RESTORE if name not in fields]
            if obj is not None and obj.is_out() and "slug" not in fields:
                fields.append("slug")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        live = getattr(request, "_article_live", None)
        # While restoring, the row has been rewound: the lock is checked against the live one.
        return type(
            form.__name__, (form,), {"live_lock_version": live["lock_version"] if live else None}
        )
