"""The writer: parsed pages to the database, idempotently, never merging two stories."""

import datetime as dt

import pytest
from django.urls import reverse

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


# Never lose or merge a story ------------------------------------------------------------------


def story(headline, *, url="", byline="Jane Roe", body="A paragraph of the story.", extra=""):
    """The text of a page: optional URL line, headline, byline, body, sign-off."""
    head = f"URL: {url}\n" if url else ""
    return parse_article_page(
        f"{head}{headline}\n\n{byline} Views 3\n\n{body}\n\n{extra}Second paragraph.\n"
    )


@pytest.mark.parametrize(
    "headlines",
    [
        ("북한, 동해상으로 탄도미사일 발사", "서울 아파트값 상승세 둔화"),
        ("Россия и КНДР подписали соглашение", "Правительство одобрило бюджет"),
        ("!!!", "???"),
    ],
)
def test_headlines_without_latin_letters_are_separate_stories(client, headlines):
    """Two pages with non-Latin or punctuation-only headlines make two articles, each with a
    working URL; re-importing them updates each, never the other."""
    first = save_parsed_article(parsed=story(headlines[0], body="Story A.")).article
    second = save_parsed_article(parsed=story(headlines[1], body="Story B.")).article
    assert first.pk != second.pk and first.slug != second.slug
    save_parsed_article(parsed=story(headlines[0], body="Story A, updated."))
    first.refresh_from_db()
    second.refresh_from_db()
    assert "Story A, updated." in first.body and "Story B." in second.body
    assert Article.objects.count() == 2
    for article in (first, second):
        article.status, article.published_at = (
            Article.Status.PUBLISHED,
            dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
        article.save()
        assert client.get(article.get_absolute_url()).status_code == 200


def test_punctuation_headlines_in_one_run_get_suffixed_slugs():
    """ "!!!" twice with different URLs: two articles, slugs "article" and "article-2"."""
    first = save_parsed_article(parsed=story("!!!", url="https://news.example/1")).article
    second = save_parsed_article(parsed=story("!!!", url="https://news.example/2")).article
    assert (first.slug, second.slug) == ("article", "article-2")


def test_same_headline_different_urls_are_two_stories():
    """Two pages with one headline but different URL lines never collapse into one article."""
    a = save_parsed_article(parsed=story("Same words", url="https://news.example/a", body="A."))
    b = save_parsed_article(parsed=story("Same words", url="https://news.example/b", body="B."))
    assert b.created and a.article.pk != b.article.pk
    a.article.refresh_from_db()
    assert "A." in a.article.body and a.article.source_url == "https://news.example/a"
    assert b.article.slug == "same-words-2"


def test_a_page_never_takes_over_an_editors_story_by_slug(make_article):
    """An article an editor wrote with the slug a page would get is left alone."""
    editors = make_article(headline="Harbour reopens", body="<p>The editor's text.</p>")
    imported = save_parsed_article(parsed=story("Harbour reopens")).article
    assert imported.pk != editors.pk and imported.slug == "harbour-reopens-2"
    editors.refresh_from_db()
    assert editors.body == "<p>The editor's text.</p>"


def test_page_without_url_finds_its_article_after_an_editor_retitles_it():
    """Re-importing a page finds the article it made even after the headline was edited."""
    article = save_parsed_article(parsed=story("Original headline")).article
    Article.objects.filter(pk=article.pk).update(headline="The desk's better headline")
    again = save_parsed_article(parsed=story("Original headline"))
    assert not again.created and again.article.pk == article.pk
    assert Article.objects.count() == 1


def test_page_given_a_url_later_updates_the_article_it_made_without_one():
    """A page imported first without its URL line and then with it is one article."""
    article = save_parsed_article(parsed=story("Growing story")).article
    again = save_parsed_article(parsed=story("Growing story", url="https://news.example/g"))
    assert not again.created and again.article.pk == article.pk
    assert again.article.source_url == "https://news.example/g"


@pytest.mark.parametrize("name", ["김민준", "Иван Петров", "José Ñúñez", "!!!"])
def test_bylines_in_any_script_import_with_working_author_pages(client, name):
    """An author named in Hangul, Cyrillic or punctuation imports, with a page that works."""
    parsed = story("A story", byline=name, extra=f"{name}\nreporter@example.com\n\n")
    article = save_parsed_article(
        parsed=parsed, editorial=Editorial(status="published", section="세계")
    ).article
    author = article.authors.get()
    assert author.name == name and author.email == "reporter@example.com"
    assert client.get(author.get_absolute_url()).status_code == 200
    assert client.get(article.section.get_absolute_url()).status_code == 200


def test_namesakes_slugs_are_suffixed_and_names_match_exactly(make_author):
    """A new author whose slug is taken gets a suffix; an exact name finds its author."""
    make_author(name="Kim Min Jun", slug="kim-min-jun")
    article = save_parsed_article(parsed=story("One", byline="Kim Min-Jun")).article
    assert article.authors.get().slug == "kim-min-jun-2"
    again = save_parsed_article(parsed=story("Two", byline="Kim Min-Jun")).article
    assert again.authors.get() == article.authors.get()


@pytest.mark.parametrize("tag", ["북한", "Россия", "!!!", "C++"])
def test_tags_in_any_script_get_working_pages(client, tag):
    """Tags with non-Latin or punctuation-only names get a slug and a page that works."""
    article = save_parsed_article(
        parsed=story("Tagged story"), editorial=Editorial(status="published", tags=(tag, "???"))
    ).article
    for saved in article.tags.all():
        assert saved.slug
        assert client.get(reverse("articles:tag", kwargs={"slug": saved.slug})).status_code == 200


@pytest.mark.parametrize("name", ["세계", "Мир", "!!!"])
def test_sections_in_any_script_import_with_a_page(client, name):
    """A section named in any script is made once, with a working page, and found again."""
    editorial = Editorial(status="published", section=name)
    first = save_parsed_article(parsed=story("One"), editorial=editorial).article
    second = save_parsed_article(parsed=story("Two"), editorial=editorial).article
    assert first.section == second.section and first.section.name == name
    assert client.get(first.section.get_absolute_url()).status_code == 200


# One writer: the same rule whatever the batching ----------------------------------------------


def test_rail_headline_shared_by_two_articles_links_to_the_newest(make_article):
    """A rail headline two articles share links to the most recently published one, whether
    the page comes alone or in a batch."""
    from articles.importers.writer import Page, write_pages

    older = make_article(headline="Twin", published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    newer = make_article(
        headline="TWIN", slug="twin-2", published_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    )
    rail = "Comments0\n\n[WORLD] Latest Stories\n\n  • twin\n"
    alone = save_parsed_article(parsed=story("Alone", extra="", body="Body.\n\n" + rail)).article
    [(_, batched)] = list(write_pages([Page(story("Batched", body="Body.\n\n" + rail))]))
    for article in (alone, batched.article):
        assert article.related_stories.get().target == newer
    assert older.cited_by.count() == 0


def test_entries_written_earlier_link_to_a_story_imported_later():
    """Rail entries naming a story not yet imported link to it once it is, in any batch."""
    first = save_parsed_article(
        parsed=story("First"), editorial=Editorial(related=("Later story",))
    ).article
    later = save_parsed_article(parsed=story("Later story"))
    assert first.related_stories.get(rail="Related Stories").target == later.article
    assert later.linked == 1


def test_reimport_bumps_the_lock_and_records_a_revision():
    """A re-import moves the article's lock version and leaves a revision saying so."""
    from reversion.models import Version

    article = save_parsed_article(parsed=story("Locked story")).article
    assert article.lock_version == 0
    again = save_parsed_article(parsed=story("Locked story", body="Changed text.")).article
    assert again.lock_version == 1
    [version] = Version.objects.get_for_object(again)
    assert version.revision.comment.startswith("Re-imported from")


def test_editor_with_the_form_open_is_told_the_story_changed(client):
    """An editor who opened the article before a re-import gets the conflict message, and
    neither the import nor the editor's text is silently lost."""
    from tests.staff import article_form_data, change_url, errors_of, staff_user

    article = save_parsed_article(parsed=story("Open in the admin")).article
    editor = staff_user("Editor")
    stale_form = article_form_data(article, headline="The editor's headline")
    save_parsed_article(parsed=story("Open in the admin", body="Imported again."))
    client.force_login(editor)
    response = client.post(change_url(article), stale_form)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "saved this article" in errors and "NOT been saved" in errors
    article.refresh_from_db()
    assert article.headline == "Open in the admin" and "Imported again." in article.body


# Faithful on real pages' variants -------------------------------------------------------------


def test_photographer_and_agency_are_recorded_as_such():
    """ "Photo by Kim Min-jun / Yonhap": Kim Min-jun a photographer, Yonhap an agency."""
    parsed = story("Credited", body="Photo by Kim Min-jun / Yonhap\n\nThe story begins.")
    credit = save_parsed_article(parsed=parsed).article.lead_image
    kinds = dict(credit.sources.values_list("name", "kind"))
    assert kinds == {
        "Kim Min-jun": ImageSource.Kind.PHOTOGRAPHER,
        "Yonhap": ImageSource.Kind.AGENCY,
    }
    assert credit.creator == "Kim Min-jun"
    assert credit.credit_line == "Photo by Kim Min-jun / Yonhap"


def test_two_author_signoff_keeps_both_addresses():
    """Each author of a two-author sign-off keeps the address the page gives them."""
    parsed = story(
        "Joint story",
        byline="Jane Roe and Kim Min-jun",
        extra="Jane Roe\njane@example.com\nKim Min-jun\nkim@example.com\n\n",
    )
    article = save_parsed_article(parsed=parsed).article
    assert dict(article.authors.values_list("name", "email")) == {
        "Jane Roe": "jane@example.com",
        "Kim Min-jun": "kim@example.com",
    }


# Every field's limits hold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("editorial", "message"),
    [
        (Editorial(dek="x" * 5_000_000), "dek"),
        (Editorial(section="S" * 81), "section"),
        (Editorial(source_url="not a url"), "source_url"),
        (Editorial(tags=("t" * 101,)), "name"),
        (Editorial(related=("r" * 301,)), "headline"),
    ],
)
def test_values_over_the_admins_limits_are_refused(editorial, message):
    """What the admin would refuse, the importer refuses too, and writes nothing of the page."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        save_parsed_article(parsed=story("Too much"), editorial=editorial)
    assert Article.objects.count() == Section.objects.count() == Author.objects.count() == 0


def test_control_characters_never_reach_the_database():
    """Control characters are stripped from the page and the sidecar's text alike."""
    parsed = parse_article_page("Bell\x07 story\n\nJane\x1b Roe Views\n\nText\x00 here.\n")
    article = save_parsed_article(parsed=parsed, editorial=Editorial(dek="A dek")).article
    assert article.headline == "Bell story"
    assert article.authors.get().name == "Jane Roe"
    assert article.body == "<p>Text here.</p>"
