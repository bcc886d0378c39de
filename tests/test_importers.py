"""The writer: parsed pages to the database, idempotently, never merging two stories."""

import datetime as dt

import pytest

from articles.importers.parser import parse_article_page
from articles.importers.sidecar import Editorial
from articles.importers.writer import save_parsed_article
from articles.models import Article, Author, ImageCredit, ImageSource, RelatedStory, Section
from tests.conftest import FIRST_SEED, SECOND_SEED

pytestmark = pytest.mark.django_db


def parsed(path=SECOND_SEED):
    return parse_article_page(path.read_text(encoding="utf-8"))


def test_import_creates_article_with_everything_the_page_says():
    """Section, author with sign-off email, credit with its agencies, body and rails."""
    result = save_parsed_article(parsed=parsed())
    article = Article.objects.get(pk=result.article.pk)
    assert result.created
    assert article.status == Article.Status.DRAFT
    assert article.section.name == "World"
    assert [a.name for a in article.authors.all()] == ["Daniel Kim"]
    assert article.authors.get().email == "content@viewusglobal.com"
    assert article.lead_image.place == "Kazan (Russia)"
    assert list(article.lead_image.sources.values_list("name", flat=True)) == ["Reuters"]
    assert article.body.count("<p>") == 6
    assert [name for name, _ in article.rails()] == [
        "Latest Stories",
        "You May Also Like",
        "Popular Now",
        "Must-Reads",
    ]
    assert article.related_stories.count() == 21


def test_importing_twice_updates_and_never_duplicates():
    """A second import of the same page changes nothing but the update."""
    first = save_parsed_article(parsed=parsed())
    second = save_parsed_article(parsed=parsed())
    assert not second.created
    assert second.article.pk == first.article.pk
    assert Article.objects.count() == 1
    assert Author.objects.count() == 1
    assert Section.objects.count() == 1
    assert ImageCredit.objects.count() == 1
    assert ImageSource.objects.count() == 1
    assert RelatedStory.objects.count() == 21


def test_reimport_keeps_editorial_state_and_curated_rails(make_article):
    """An editor's status, tags and own rail survive a re-import of the page."""
    result = save_parsed_article(parsed=parsed())
    article = result.article
    article.status = Article.Status.PUBLISHED
    article.published_at = dt.datetime(2024, 10, 29, tzinfo=dt.UTC)
    article.save()
    article.tags.add("Kremlin")
    other = make_article(headline="An editor's pick")
    RelatedStory.objects.create(article=article, rail="Editor's Choice", target=other)

    save_parsed_article(parsed=parsed())
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert list(article.tags.names()) == ["Kremlin"]
    assert article.related_stories.filter(rail="Editor's Choice", target=other).exists()


def test_rail_headline_matching_existing_article_becomes_a_link(make_article):
    """A rail entry whose headline is an article we have points at that article."""
    existing = make_article(
        headline="Sweden Boosts Surveillance in Baltic Sea: Troops, "
        "Warships, and Aircraft to Monitor Threats"
    )
    result = save_parsed_article(parsed=parsed())
    story = result.article.related_stories.get(headline__startswith="Sweden Boosts")
    assert story.target == existing
    assert result.linked >= 1


def test_headline_imported_later_links_earlier_rails():
    """An article imported after the page that lists it still gets linked."""
    first = save_parsed_article(
        parsed=parsed(FIRST_SEED),
        editorial=Editorial(related=(parsed(SECOND_SEED).headline,)),
    ).article
    story = first.related_stories.get(rail="Related Stories")
    assert story.target is None
    second = save_parsed_article(parsed=parsed(SECOND_SEED)).article
    story.refresh_from_db()
    assert story.target == second


def test_page_without_section_uses_the_runs_default():
    """The first seed names no section; the editorial default fills it in."""
    article = save_parsed_article(
        parsed=parsed(FIRST_SEED), editorial=Editorial(section="World")
    ).article
    assert article.section.slug == "world"


def test_page_section_wins_over_default():
    """A page that names its section keeps it."""
    article = save_parsed_article(parsed=parsed(), editorial=Editorial(section="Lifestyle")).article
    assert article.section.name == "World"


def test_page_without_credit_has_no_lead_image():
    """No credit line on the page, no lead image credit."""
    page = parse_article_page("Headline\n\nJane Roe Views\n\nFirst paragraph.\n\nSecond.\n")
    article = save_parsed_article(parsed=page).article
    assert article.lead_image is None
    assert ImageCredit.objects.count() == 0


def test_published_status_without_time_publishes_now():
    """Publishing on import without a time stamps the import time."""
    article = save_parsed_article(parsed=parsed(), editorial=Editorial(status="published")).article
    assert article.is_published()


def test_source_url_is_the_identity_when_present():
    """Two pages with the same URL are one article even when the headline changed."""
    text = SECOND_SEED.read_text(encoding="utf-8")
    save_parsed_article(parsed=parse_article_page("URL: https://news.example/1\n" + text))
    changed = text.replace("Kremlin Confirms", "Kremlin Says")
    result = save_parsed_article(
        parsed=parse_article_page("URL: https://news.example/1\n" + changed)
    )
    assert not result.created
    assert Article.objects.get().headline.endswith("Kremlin Says")


def test_reimport_raises_the_count_to_the_pages_figure_but_never_lowers_it():
    """A page's higher view figure is kept on re-import; live reads above it are not undone."""
    page = "Counted story\n\nJane Roe Views {views}\n\nFirst paragraph.\n\nJane Roe\njane@x.org\n"
    article = save_parsed_article(parsed=parse_article_page(page.format(views="10"))).article
    save_parsed_article(parsed=parse_article_page(page.format(views="1,204")))
    article.refresh_from_db()
    assert article.view_count == 1204
    for _ in range(5):
        Article.objects.add_view(article.pk)
    save_parsed_article(parsed=parse_article_page(page.format(views="1,204")))
    article.refresh_from_db()
    assert article.view_count == 1209


def test_rail_positions_count_across_the_page():
    """Positions run 0, 1, 2... over the whole page, so ordering by position keeps each rail's
    stories together and the rails in the page's order (as the admin's inline lists them)."""
    article = save_parsed_article(
        parsed=parsed(FIRST_SEED), editorial=Editorial(related=("Some other story",))
    ).article
    stories = list(article.related_stories.order_by("position"))
    assert [story.position for story in stories] == list(range(len(stories)))
    rails_in_order = [name for name in dict.fromkeys(story.rail for story in stories)]
    assert rails_in_order == [
        "Related Stories",
        "Latest Stories",
        "You May Also Like",
        "Popular Now",
        "Must-Reads",
    ]
    # Each rail's stories are contiguous.
    runs = [story.rail for story in stories]
    assert sum(1 for a, b in zip(runs, runs[1:], strict=False) if a != b) == 4
