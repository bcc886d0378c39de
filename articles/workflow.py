"""Who may do what to an article, and the moves between draft, review, scheduled and published.

The admin asks these functions; it never decides by hiding a button. A reporter writes, edits
the drafts they are bylined on and sends them to review. An editor (``publish_article`` and
``edit_any_article``) edits everything and publishes, schedules, unpublishes and returns
articles to draft. The groups and their permissions are made by migration 0003.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article, Byline, ImageCredit

REPORTER_GROUP = "Reporter"
EDITOR_GROUP = "Editor"

PUBLISH_PERMISSION = "articles.publish_article"
EDIT_ANY_PERMISSION = "articles.edit_any_article"


def can_publish(user) -> bool:
    """Publish, schedule, unpublish and return to draft."""
    return user.has_perm(PUBLISH_PERMISSION)


def can_edit_any(user) -> bool:
    return user.has_perm(EDIT_ANY_PERMISSION)


def is_bylined(user, article: Article) -> bool:
    if not user.pk or article.pk is None:
        return False
    return Byline.objects.filter(article=article, author__user=user).exists()


def can_edit(user, article: Article | None) -> bool:
    """May ``user`` change this article (or, with None, articles in general)?

    Reporters change only their own articles, and only before they go out: a change to a live
    or scheduled article would reach readers without an editor seeing it.
    """
    if not user.has_perm("articles.change_article"):
        return False
    if article is None or can_edit_any(user):
        return True
    return not article.is_out() and is_bylined(user, article)


def can_edit_photo(user, credit: ImageCredit | None) -> bool:
    """May ``user`` change this photo credit (or, with None, credits in general)?

    A credit is printed under its photo on every article that leads with it: a reporter's
    change to one that a live or scheduled article shows would reach readers unseen.
    """
    if not user.has_perm("articles.change_imagecredit"):
        return False
    if credit is None or credit.pk is None or can_edit_any(user):
        return True
    return not is_shown_on_an_article_out(credit)


def is_shown_on_an_article_out(credit: ImageCredit) -> bool:
    return credit.lead_of.live_or_scheduled().exists()


def delete_refusal(user, article: Article | None) -> str | None:
    """Why ``user`` may not delete ``article`` (or articles in general), in words; None if they may.

    Only articles that are not out may be deleted: unpublish first, so nothing vanishes from
    under a reader. Corrections are part of the public record, so an article that carries any
    is kept (unpublished).
    """
    if not user.has_perm("articles.delete_article"):
        return "Only an editor can delete articles."
    if article is None:
        return None
    if article.is_out():
        state = "scheduled" if article.is_scheduled() else "live"
        return (
            f"“{article.headline}” is {state}: unpublish it first (action “Unpublish”), "
            "then delete it."
        )
    if article.correction_log:
        return (
            f"“{article.headline}” carries corrections readers have seen; they are part of the "
            "public record, so the article cannot be deleted. Keep it unpublished instead."
        )
    return None


def can_delete(user, article: Article | None) -> bool:
    return delete_refusal(user, article) is None


def allowed_statuses(user) -> list[str]:
    if can_publish(user):
        return [choice for choice, _ in Article.Status.choices]
    return [Article.Status.DRAFT, Article.Status.REVIEW]


@dataclass(frozen=True)
class Problem:
    """One thing that stops an article from going out.

    ``need`` completes "It needs ..." in a message listing several; ``advice`` says what to do,
    beside the form field named by ``field``.
    """

    field: str
    need: str
    advice: str


def content_problems(article: Article) -> list[Problem]:
    """What in the article's own fields stops it from going out (the byline aside)."""
    problems = []
    if not (article.headline or "").strip():
        problems.append(Problem("headline", "a headline", "A headline is needed to publish."))
    if not strip_tags(article.body or "").strip():
        problems.append(Problem("body", "a body", "Write the body before publishing."))
    if article.section_id is None:
        problems.append(Problem("section", "a section", "Choose a section before publishing."))
    credit = article.lead_image
    if credit is not None:
        if credit.image and not credit.alt_text.strip():
            problems.append(
                Problem(
                    "lead_image",
                    "alt text for the lead image",
                    "This image has no alt text: edit the credit (pencil icon) and describe "
                    "the image for readers who cannot see it.",
                )
            )
        if credit.licence_has_ended():
            ended = f"{credit.licence_ends_on:%d %B %Y}"
            problems.append(
                Problem(
                    "lead_image",
                    f"a lead image whose licence has not ended (it ended on {ended})",
                    f"Our licence for this image ended on {ended}.",
                )
            )
    return problems


def byline_problem(author_count: int) -> Problem | None:
    """The byline rule: an article goes out under at least one author."""
    if author_count >= 1:
        return None
    return Problem(
        "byline",
        "at least one author in the byline",
        "Publishing needs at least one author in the byline: add one below.",
    )


def publish_problems(article: Article, *, author_count: int | None = None) -> list[Problem]:
    """Everything that stops ``article`` from going out; [] if nothing.

    ``author_count`` is the byline length being submitted with a form; without it the saved
    byline is counted.
    """
    if author_count is None:
        author_count = article.authors.count() if article.pk else 0
    problems = content_problems(article)
    if missing_author := byline_problem(author_count):
        problems.append(missing_author)
    return problems


def needs_message(problems: Iterable[Problem]) -> str:
    """ "needs a body, a section", for the reasons the list actions give."""
    return "needs " + ", ".join(problem.need for problem in problems)


# Moves, as used by the admin's actions -------------------------------------------------------


@dataclass
class Outcome:
    """What a move did: the articles it changed and, for each it skipped, why."""

    done: list[Article] = field(default_factory=list)
    skipped: list[tuple[Article, str]] = field(default_factory=list)


def _apply(
    articles: Iterable[Article],
    *,
    user,
    needs: Callable[[Article], str | None],
    change: Callable[[Article], None],
) -> Outcome:
    outcome = Outcome()
    for article in articles:
        reason = needs(article)
        if reason:
            outcome.skipped.append((article, reason))
            continue
        change(article)
        # A move made from the list also counts as an edit for optimistic locking, so an
        # editor with the article open cannot unknowingly save over it.
        article.lock_version += 1
        article.save()
        outcome.done.append(article)
    return outcome


def _publisher_check(user, article: Article) -> str | None:
    if not can_publish(user):
        return "only editors can do this"
    if not can_edit(user, article):
        return "you may not edit it"
    return None


def publish_now(articles: Iterable[Article], *, user, now: dt.datetime | None = None) -> Outcome:
    now = now or timezone.now()

    def needs(article):
        if reason := _publisher_check(user, article):
            return reason
        if article.is_published():
            return "already published"
        if problems := publish_problems(article):
            return needs_message(problems)
        return None

    def change(article):
        article.status = Article.Status.PUBLISHED
        article.published_at = now

    return _apply(articles, user=user, needs=needs, change=change)


def schedule(articles: Iterable[Article], *, user, when: dt.datetime) -> Outcome:
    def needs(article):
        if reason := _publisher_check(user, article):
            return reason
        if article.is_published():
            return "already published: unpublish it first"
        if problems := publish_problems(article):
            return needs_message(problems)
        return None

    def change(article):
        article.status = Article.Status.PUBLISHED
        article.published_at = when

    return _apply(articles, user=user, needs=needs, change=change)


def unpublish(articles: Iterable[Article], *, user) -> Outcome:
    """Take live or scheduled articles off the site, back to draft. The publish time is kept."""

    def needs(article):
        if reason := _publisher_check(user, article):
            return reason
        if article.status != Article.Status.PUBLISHED:
            return "not published or scheduled"
        return None

    def change(article):
        article.status = Article.Status.DRAFT

    return _apply(articles, user=user, needs=needs, change=change)


def return_to_draft(articles: Iterable[Article], *, user) -> Outcome:
    """Send articles in review back to their reporters."""

    def needs(article):
        if reason := _publisher_check(user, article):
            return reason
        if article.status != Article.Status.REVIEW:
            return "not in review"
        return None

    def change(article):
        article.status = Article.Status.DRAFT

    return _apply(articles, user=user, needs=needs, change=change)


def submit_for_review(articles: Iterable[Article], *, user) -> Outcome:
    def needs(article):
        if not can_edit(user, article):
            return "you may not edit it"
        if article.status != Article.Status.DRAFT:
            return "not a draft"
        return None

    def change(article):
        article.status = Article.Status.REVIEW

    return _apply(articles, user=user, needs=needs, change=change)
