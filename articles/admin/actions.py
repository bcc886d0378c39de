"""The article list's workflow actions: each asks articles/workflow.py and reports what it did
and what it skipped, with the reason."""

from __future__ import annotations

import reversion
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext

from articles import workflow
from articles.forms import ScheduleForm

# Django's own words when "Go" is pressed with nothing to do, and what the desk is told instead.
NOTHING_TO_DO = {
    "No action selected.": "Nothing was changed: choose what to do in the “Action” list "
    "above the articles, tick at least one article, then press Go.",
    "Items must be selected in order to perform actions on them. No items have been changed.": (
        "Nothing was changed: tick the box beside at least one article (or the box in the "
        "heading, for every article on the page), then press Go."
    ),
}


def _articles(count: int) -> str:
    return f"{count} article{'s' if count > 1 else ''}"


def _headline(article) -> str:
    return f"“{Truncator(article.headline).chars(50)}”"


def report_outcome(modeladmin, request, outcome: workflow.Outcome, verb: str) -> None:
    if outcome.done:
        titles = ", ".join(_headline(article) for article in outcome.done)
        modeladmin.message_user(
            request, f"{verb} {_articles(len(outcome.done))}: {titles}.", messages.SUCCESS
        )
    if outcome.skipped:
        reasons = "; ".join(
            f"{_headline(article)} ({reason})" for article, reason in outcome.skipped
        )
        modeladmin.message_user(
            request, f"Skipped {_articles(len(outcome.skipped))}: {reasons}.", messages.WARNING
        )
    if not outcome.done and not outcome.skipped:
        modeladmin.message_user(request, "No articles were selected.", messages.WARNING)


class WorkflowActionsMixin:
    """Publish, schedule, unpublish, return to draft and submit for review, from the list."""

    actions = (
        "publish_now",
        "schedule",
        "unpublish",
        "return_to_draft",
        "submit_for_review",
        "delete_selected",
    )

    def message_user(self, request, message, *args, **kwargs):
        plain = {gettext(django_words): ours for django_words, ours in NOTHING_TO_DO.items()}
        super().message_user(request, plain.get(str(message), message), *args, **kwargs)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def _run(self, request, queryset, move, verb, **kwargs):
        with transaction.atomic():
            articles = list(queryset.select_for_update(of=("self",)).select_related("lead_image"))
            outcome = move(articles, user=request.user, **kwargs)
            if outcome.done and reversion.is_active():
                reversion.set_comment(f"{verb} from the article list.")
        report_outcome(self, request, outcome, verb)

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

    @admin.action(description="Delete selected articles", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's delete, refused in words when any of the articles may not go."""
        refusals = [
            refusal
            for article in queryset
            if (refusal := workflow.delete_refusal(request.user, article))
        ]
        if refusals:
            self.message_user(request, "Nothing was deleted. " + " ".join(refusals), messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)
