"""The list filters of the article and photo lists."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils import timezone

from articles.models import Article, WorkflowState

LICENCE_WARNING_DAYS = 30


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


class ArticleLicenceFilter(LicenceFilter):
    """On the article list, only articles that are out (live or scheduled) matter."""

    title = "lead image licence"

    def _prefix(self):
        return "lead_image__"

    def queryset(self, request, queryset):
        filtered = super().queryset(request, queryset)
        if self.value():
            return filtered.live_or_scheduled()
        return filtered

    def lookups(self, request, model_admin):
        return (
            ("ended", "Ended (published articles)"),
            ("ending", f"Ends within {LICENCE_WARNING_DAYS} days (published articles)"),
        )


class WorkflowStateFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return WorkflowState.choices

    def queryset(self, request, queryset):
        if self.value() in WorkflowState.values:
            return queryset.in_workflow_state(self.value())
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
