"""Models: one definition of published, atomic view counts, safe bodies, credits."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles import view_counts
from articles.models import Article, RelatedStory
from articles.sanitize import sanitize_body

pytestmark = pytest.mark.django_db


def test_published_is_status_and_time(make_article):
    """Of draft/published x past/future, only published-in-the-past is visible."""
    past = timezone.now() - dt.timedelta(days=1)
    future = timezone.now() + dt.timedelta(days=1)
    visible = make_article(status=Article.Status.PUBLISHED, published_at=past)
    make_article(status=Article.Status.PUBLISHED, published_at=future)
    make_article(status=Article.Status.DRAFT, published_at=past)
    make_article(status=Article.Status.DRAFT, published_at=future)
    make_article(status=Article.Status.REVIEW, published_at=past)
    assert list(Article.objects.published()) == [visible]
    assert [a.is_published() for a in Article.objects.order_by("pk")] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_scheduled_article_goes_live_at_its_time(make_article, time_machine):
    """A future publish time becomes visible once the clock passes it, with no other change."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = make_article(published_at=now + dt.timedelta(minutes=5))
    assert article.is_scheduled()
    assert not Article.objects.published().exists()
    time_machine.move_to(now + dt.timedelta(minutes=6), tick=False)
    assert list(Article.objects.published()) == [article]


def test_published_needs_a_publish_time(make_article):
    """The database refuses a published article with no publish time."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(status=Article.Status.PUBLISHED, published_at=None)


def test_views_counted_from_stale_copies_all_count(make_article):
    """Two stale copies each counting a view give two views, not one."""
    article = make_article()
    first, second = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    assert view_counts.count_view(first.pk, stored=first.view_count) == 1
    assert view_counts.count_view(second.pk, stored=second.view_count) == 2
    view_counts.flush()
    article.refresh_from_db()
    assert article.view_count == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_lose_no_counts(make_article):
    """Views counted from several threads at once all land."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("in-memory SQLite is private to one connection; runs on file and PostgreSQL")
    article = make_article()
    errors = []

    def count(times):
        try:
            for _ in range(times):
                copy = Article.objects.get(pk=article.pk)
                view_counts.count_view(copy.pk, stored=copy.view_count)
        except Exception as error:  # noqa: BLE001 - surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    view_counts.flush()
    article.refresh_from_db()
    assert article.view_count == 100


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{display:none}</style>",
        '<p onclick="alert(1)">x</p>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_body_is_sanitized_on_save(make_article, payload):
    """Script, style, event attributes and javascript: URLs never get stored."""
    article = make_article(body=f"<p>Safe</p>{payload}")
    stored = Article.objects.get(pk=article.pk).body
    for forbidden in ("<script", "onerror", "javascript:", "<style", "onclick", "<iframe"):
        assert forbidden not in stored
    assert "<p>Safe</p>" in stored


def test_sanitizer_keeps_editorial_markup():
    """Paragraphs, links, emphasis, lists, quotes and subheadings survive."""
    markup = (
        '<h2>Sub</h2><p>A <a href="https://example.com">link</a>, <em>em</em>, '
        "<strong>strong</strong></p><ul><li>one</li></ul><blockquote>quote</blockquote>"
    )
    cleaned = sanitize_body(markup)
    for kept in (
        "<h2>",
        '<a href="https://example.com"',
        "<em>",
        "<strong>",
        "<li>",
        "<blockquote>",
    ):
        assert kept in cleaned


def test_related_story_needs_target_or_headline(make_article):
    """An empty rail entry is refused by the database."""
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedStory.objects.create(article=article, rail="Latest Stories")


def test_related_story_cannot_point_at_its_own_article(make_article):
    """An article is never related to itself."""
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedStory.objects.create(article=article, target=article)


def test_related_story_link_only_to_published_target(make_article, make_related):
    """A headline-only entry, or a draft target, renders without a link."""
    article = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    assert make_related(article).link() == ""
    assert make_related(article, target=draft).link() == ""
    assert make_related(article, target=live).link() == live.get_absolute_url()


def test_printed_credit(make_credit):
    """The line under a photo reads "Place / Credit"."""
    assert make_credit(place="Kazan (Russia)", credit_line="Reuters").printed_credit == (
        "Kazan (Russia) / Reuters"
    )
    assert make_credit(place="", credit_line="Reuters-Yonhap").printed_credit == "Reuters-Yonhap"


def test_summary_is_the_dek_else_the_lede(make_article):
    """No dek: the first paragraph whole when short, cut to 40 words with an ellipsis when long."""
    assert make_article(dek="The dek.", body="<p>Lede.</p>").summary == "The dek."
    short = make_article(dek="", body="<p>A short lede.</p><p>Second paragraph.</p>")
    assert short.summary == "A short lede."
    long_lede = " ".join(f"word{n}" for n in range(60))
    long = make_article(dek="", body=f"<p>{long_lede}</p>")
    assert long.summary == " ".join(f"word{n}" for n in range(40)) + "…"


def test_saving_an_old_copy_keeps_the_readers_count(make_article):
    """An editor's save from a copy loaded before some reads does not lose those reads."""
    article = make_article()
    stale = Article.objects.get(pk=article.pk)
    for _ in range(3):
        Article.objects.add_view(article.pk)
    stale.headline = "Edited headline"
    stale.save()
    article.refresh_from_db()
    assert (article.headline, article.view_count) == ("Edited headline", 3)


def test_add_view_counts_only_what_the_queryset_holds(make_article):
    """published().add_view() returns the new total, or None for a draft, counting nothing."""
    live = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    assert Article.objects.published().add_view(live.pk) == 1
    assert Article.objects.published().add_view(live.pk) == 2
    assert Article.objects.published().add_view(draft.pk) is None
    draft.refresh_from_db()
    assert draft.view_count == 0


def test_urls_are_remembered_but_follow_the_urlconf(make_article, settings):
    """get_absolute_url() is reverse() remembered, and forgets when the URLconf changes."""
    from django.urls import reverse

    article = make_article(slug="a-story")
    assert article.get_absolute_url() == reverse("articles:detail", kwargs={"slug": "a-story"})
    settings.ROOT_URLCONF = "tests.urls_elsewhere"
    assert article.get_absolute_url() == "/elsewhere/news/a-story/"


def test_authors_and_tags_of_published_articles(make_article, make_author):
    """published().bylined_authors() and .used_tags() leave out what only drafts carry."""
    live_author, draft_author = make_author(name="Live Writer"), make_author(name="Draft Writer")
    make_article(authors=[live_author], tags=["shown"])
    make_article(authors=[draft_author], tags=["hidden"], status=Article.Status.DRAFT)
    published = Article.objects.published()
    assert list(published.bylined_authors()) == [live_author]
    assert list(published.used_tags().values_list("name", flat=True)) == ["shown"]
