"""Search and filtering at /search/: free text, section, tag, author, dates; hostile input."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles import search_index
from articles.filters import SHORT_LIST_SIZE
from articles.models import Article, Author, Byline
from articles.search import fts5_query, highlight, parse_query, search_articles, stem

SEARCH = reverse("articles:search")


# The parser: no database.


def test_parse_query_reads_words_phrases_exclusions_and_or():
    """Words are ANDed, quotes make a phrase, -word excludes, "or" joins two terms."""
    parsed = parse_query('Putin "foreign minister" -Kremlin trade or security the')
    assert [[t.words for t in group] for group in parsed.all] == [
        [["putin"]],
        [["foreign", "minister"]],
        [["trade"], ["security"]],
    ]
    assert [t.words for t in parsed.none] == [["kremlin"]]


def test_fts5_query_quotes_every_word_and_keeps_phrases_whole():
    """Reader input never becomes FTS5 syntax; a phrase keeps its stop words."""
    parsed = parse_query('"Bank of England" rates or NEAR -headline:x')
    assert fts5_query(parsed) == (
        '(("bank of england") AND ("rates" OR "near")) NOT ("headline x")'
    )


@pytest.mark.parametrize("text", ["", "   ", "the and of", "!!! ???", '""', "-", "or"])
def test_queries_without_words_are_empty(text):
    """Stop words and punctuation alone search for nothing, as PostgreSQL's parser finds."""
    assert not parse_query(text)


@pytest.mark.parametrize(
    ("word", "root"),
    [("ministers", "minister"), ("meeting", "meet"), ("policies", "polic"), ("news", "new")],
)
def test_stem_strips_common_english_endings(word, root):
    """A light stemmer: enough for plurals and -ing forms."""
    assert stem(word) == root


def test_highlight_escapes_and_marks_matches():
    """The excerpt is escaped text; only <mark> is markup."""
    text = "<p>Intro.</p><p>The <b>ministers</b> &amp; <script>x</script> met in Moscow.</p>"
    html = highlight(text, "minister moscow")
    assert "<mark>ministers</mark>" in html and "<mark>Moscow</mark>" in html
    assert "<script>" not in html and "<b>" not in html
    assert "Intro. The ministers" in re.sub(r"</?mark>", "", html)


# Free text against the database (PostgreSQL full-text search or the fallback).


@pytest.fixture
def corpus(make_article, make_section):
    section = make_section(name="World")
    stories = {
        "putin": make_article(
            section=section,
            headline="Putin meets North Korean foreign minister",
            dek="Talks in Moscow on Monday.",
            body="<p>The ministers discussed trade and security.</p>",
            published_at=timezone.now() - dt.timedelta(hours=3),
        ),
        "markets": make_article(
            headline="Markets rally as rates hold",
            dek="The central bank keeps rates where they were.",
            body="<p>Investors cheered the decision in London.</p>",
            published_at=timezone.now() - dt.timedelta(hours=2),
        ),
        "council": make_article(
            headline="Council delays budget vote",
            body="<p>The minister for housing said talks would resume next week.</p>",
            published_at=timezone.now() - dt.timedelta(hours=1),
        ),
    }
    make_article(
        headline="Draft: minister resigns", status=Article.Status.DRAFT, body="<p>Moscow.</p>"
    )
    return stories


SIMPLE_QUERIES = {
    "minister": {"putin", "council"},
    "ministers": {"putin", "council"},
    "MOSCOW": {"putin"},
    "rate": {"markets"},
    "rates": {"markets"},
    "investor": {"markets"},
    "meeting": {"putin"},
    "talks": {"putin", "council"},
    "markets rally": {"markets"},
    "putin markets": set(),
    '"foreign minister"': {"putin"},
    '"minister foreign"': set(),
    "minister -council": {"putin"},
    "putin or markets": {"putin", "markets"},
    '"trade and security"': {"putin"},
    "Moscow -putin": set(),
    "the": set(),
    "zeppelin": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), SIMPLE_QUERIES.items())
def test_simple_queries_find_the_right_stories(corpus, query, expected):
    """Words, plurals, case, phrases, exclusions and "or", never a draft."""
    found = search_articles(Article.objects.published(), query)
    assert {key for key, story in corpus.items() if story in found} == expected
    assert not found.filter(status=Article.Status.DRAFT).exists()


@pytest.mark.django_db
def test_ranking_prefers_headline_then_summary_then_body(make_article):
    """A word in the headline ranks above the summary, which ranks above the body."""
    now = timezone.now()
    body = make_article(body="<p>The glacier melted.</p>", published_at=now)
    dek = make_article(dek="A glacier story.", published_at=now - dt.timedelta(hours=1))
    head = make_article(headline="Glacier retreats", published_at=now - dt.timedelta(hours=2))
    found = list(search_articles(Article.objects.published(), "glacier"))
    assert found == [head, dek, body]


# The page.


@pytest.mark.django_db
def test_search_page_lists_matches_with_marked_excerpts(client, corpus):
    """Results show the matching passage with the words marked."""
    response = client.get(SEARCH, {"q": "investors"})
    html = response.content.decode()
    assert response.status_code == 200
    assert corpus["markets"].headline in html
    assert corpus["putin"].headline not in html
    assert "<mark>Investors</mark>" in html
    assert "Results for “investors”" in html
    assert '<meta name="robots" content="noindex, follow">' in html


@pytest.mark.django_db
def test_no_query_lists_every_published_story_newest_first(client, corpus):
    """The empty search page browses the archive."""
    html = client.get(SEARCH).content.decode()
    positions = [html.index(corpus[key].headline) for key in ("council", "markets", "putin")]
    assert positions == sorted(positions)
    assert "Draft: minister resigns" not in html


@pytest.fixture
def filtered(make_article, make_section, make_author):
    world, sport = make_section(name="World"), make_section(name="Sport")
    jane, omar = make_author(name="Jane Roe"), make_author(name="Omar Khan")
    day = timezone.make_aware(dt.datetime(2024, 11, 4, 12))
    return {
        "world-jane": make_article(
            section=world, authors=[jane], tags=["Russia"], published_at=day, headline="A1"
        ),
        "world-omar": make_article(
            section=world,
            authors=[omar],
            tags=["Russia", "Trade"],
            published_at=day - dt.timedelta(days=3),
            headline="A2",
        ),
        "sport-jane": make_article(
            section=sport,
            authors=[jane, omar],
            tags=["Football"],
            published_at=day + dt.timedelta(days=2),
            headline="A3",
        ),
        "draft": make_article(
            section=world,
            authors=[jane],
            tags=["Russia"],
            status=Article.Status.DRAFT,
            headline="A4 draft",
        ),
    }


def found_headlines(response):
    return set(
        re.findall(r'class="card__headline"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"section": "world"}, {"A1", "A2"}),
        ({"section": "sport"}, {"A3"}),
        ({"tag": "russia"}, {"A1", "A2"}),
        ({"tag": "trade"}, {"A2"}),
        ({"author": "jane-roe"}, {"A1", "A3"}),
        ({"author": "omar-khan"}, {"A2", "A3"}),
        ({"published_after": "2024-11-04"}, {"A1", "A3"}),
        ({"published_before": "2024-11-04"}, {"A1", "A2"}),
        ({"published_after": "2024-11-02", "published_before": "2024-11-05"}, {"A1"}),
        ({"section": "world", "author": "jane-roe"}, {"A1"}),
        ({"section": "world", "tag": "trade", "author": "omar-khan"}, {"A2"}),
        ({"section": "sport", "tag": "russia"}, set()),
        ({"sort": "oldest"}, {"A1", "A2", "A3"}),
    ],
)
def test_filters_combine_and_never_show_drafts(client, filtered, params, expected):
    """Section, tag, author and date range, alone or together; drafts never."""
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert found_headlines(response) == expected


@pytest.mark.django_db
def test_active_filters_are_shown_and_each_can_be_removed(client, filtered):
    """Each active filter has a link that drops it and keeps the others (shareable URLs)."""
    response = client.get(SEARCH, {"section": "world", "author": "jane-roe", "page": "1"})
    active = response.context["active_filters"]
    assert [(f["label"], f["value"]) for f in active] == [
        ("Section", "World"),
        ("Author", "Jane Roe"),
    ]
    by_name = {f["name"]: f["remove_url"] for f in active}
    assert by_name["section"] == f"{SEARCH}?author=jane-roe"
    assert by_name["author"] == f"{SEARCH}?section=world"
    html = response.content.decode()
    assert f'href="{SEARCH}?author=jane-roe"' in html
    assert "Clear all filters" in html
    # Following a removal link shows the wider result.
    assert found_headlines(client.get(by_name["section"])) == {"A1", "A3"}


@pytest.mark.django_db
def test_sort_orders_results(client, filtered):
    """Newest first by default, oldest first on request."""
    html = client.get(SEARCH, {"sort": "oldest"}).content.decode()
    assert html.index(">A2<") < html.index(">A1<") < html.index(">A3<")
    html = client.get(SEARCH).content.decode()
    assert html.index(">A3<") < html.index(">A1<") < html.index(">A2<")


@pytest.mark.django_db
def test_pagination_keeps_the_filters(client, make_article, make_section):
    """Next-page links carry the search and filters."""
    section = make_section(name="World")
    for n in range(25):
        make_article(section=section, headline=f"Glacier story {n}")
    html = client.get(SEARCH, {"q": "glacier", "section": "world"}).content.decode()
    assert 'href="/search/?q=glacier&amp;section=world&amp;page=2"' in html
    second = client.get(SEARCH, {"q": "glacier", "section": "world", "page": 2})
    assert second.status_code == 200 and len(found_headlines(second)) == 5


@pytest.mark.django_db
def test_search_page_query_count_does_not_grow(
    client,
    make_article,
    make_section,
    make_author,
    warm_navigation,
    settings,
    django_assert_num_queries,
):
    """Eight queries for a search with every filter, whether 1 story matches or 20.

    The section, tag and author each looked up, the section menu; the count (bounded), the
    page's ids in rank order, their cards and their bylines. The header's sections and the tag
    and author short lists are cached, as on a running site (counting them is two more queries
    when the list of stories moves). The page cache is off: this counts the page's own work.
    """
    settings.PAGE_CACHE_SECONDS = 0
    section, author = make_section(name="World"), make_author(name="Jane")
    params = {
        "q": "glacier",
        "section": "world",
        "tag": "ice",
        "author": "jane",
        "published_after": "2000-01-01",
    }
    for expected in (1, 20):
        while Article.objects.count() < expected:
            make_article(
                section=section,
                authors=[author, make_author()],
                tags=["ice", "snow"],
                headline=f"Glacier {Article.objects.count()}",
            )
        warm_navigation()
        client.get(SEARCH)  # the short lists
        with django_assert_num_queries(8):
            response = client.get(SEARCH, params)
        assert len(found_headlines(response)) == expected


@pytest.mark.django_db
def test_search_page_stays_light_with_hundreds_of_tags_and_authors(client, make_article):
    """500 tags and 200 authors: the menus offer the most used few, the page stays < 30 KB;
    a tag or author outside the short list still filters and shows as chosen."""
    busy = make_article(headline="Busy story", tags=["Common tag"])
    quiet = make_article(
        headline="Quiet story", tags=[f"Tag {n:03}" for n in range(500)] + ["Common tag"]
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Writer {n:03}", slug=f"writer-{n:03}") for n in range(200)
    )
    Byline.objects.bulk_create(
        Byline(article=quiet, author=author, position=n) for n, author in enumerate(authors)
    )
    response = client.get(SEARCH)
    html = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 30_000
    tag_menu = re.search(r'<select name="tag".*?</select>', html, re.S).group(0)
    author_menu = re.search(r'<select name="author".*?</select>', html, re.S).group(0)
    assert tag_menu.count("<option") == author_menu.count("<option") == SHORT_LIST_SIZE + 1
    # The most used tag comes first; drafts' tags and authors are never offered.
    assert re.findall(r'<option value="([^"]*)"', tag_menu)[1] == "common-tag"

    chosen = client.get(SEARCH, {"tag": "tag-499", "author": "writer-199"})
    html = chosen.content.decode()
    assert chosen.status_code == 200 and busy.headline not in html and quiet.headline in html
    assert '<option value="tag-499" selected>Tag 499</option>' in html
    assert '<option value="writer-199" selected>Writer 199</option>' in html


@pytest.mark.django_db
def test_short_lists_never_offer_what_readers_cannot_see(client, make_article, make_author):
    """Tags and authors of drafts alone are not in the menus."""
    make_article(headline="Live", tags=["Public"])
    make_article(
        headline="Draft",
        status=Article.Status.DRAFT,
        tags=["Secret"],
        authors=[make_author(name="Hidden Writer")],
    )
    html = client.get(SEARCH).content.decode()
    assert "public" in html and "secret" not in html and "Hidden Writer" not in html


# Hostile input: a normal page, a 404 or a 400; never a 500; anything echoed is escaped.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "abc"}, 404),
        ({"page": "999999"}, 404),
        ({"page": "-1"}, 404),
        ({"page": "0"}, 404),
        ({"page": "1e9"}, 404),
        ({"q": "x" * 10_000}, 400),
        ({"q": "word " * 2000}, 400),
        ({"q": "nul\x00byte"}, 400),
        ({"section": "no-such-section"}, 400),
        ({"tag": "no-such-tag"}, 400),
        ({"author": "<script>"}, 400),
        ({"published_after": "yesterday"}, 400),
        ({"published_after": "2024-13-45"}, 400),
        ({"published_after": "2024-11-05", "published_before": "2024-11-01"}, 400),
        ({"sort": "DROP TABLE"}, 400),
        ({"q": "' OR 1=1 --"}, 200),
        ({"q": "'; DROP TABLE articles_article; --"}, 200),
        ({"q": "a) OR (1=1"}, 200),
        ({"q": "[(*+?\\"}, 200),
        ({"q": "(((((a*)*)*)*)*"}, 200),
        ({"q": '"unterminated phrase'}, 200),
        ({"q": "-"}, 200),
        ({"q": "ünïcödé 東京 🚀"}, 200),
        ({"q": "NEAR(putin moscow) AND OR NOT *"}, 200),
        ({"q": "headline:putin ^moscow {dek}: putin*"}, 200),
        ({"unknown": "value", "q": "putin"}, 200),
    ],
)
def test_hostile_query_strings_never_500(client, corpus, params, status):
    """Bad page numbers are 404s, values the form refuses 400s, odd text a normal page."""
    response = client.get(SEARCH, params)
    assert response.status_code == status
    if status == 400:
        assert "Please correct your search" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "999999", "-1", "0"])
@pytest.mark.parametrize("name", ["articles:home", "articles:search"])
def test_bad_page_numbers_on_lists(client, corpus, name, page):
    """Home and search: a page number that is no page is a 404."""
    assert client.get(reverse(name), {"page": page}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "evil",
    [
        '<script>alert("x")</script>',
        '"><img src=x onerror=alert(1)>',
        "</title><script>alert(1)</script>",
    ],
)
def test_echoed_text_is_escaped(client, corpus, evil):
    """Whatever is typed comes back escaped: in the title, the heading, the field, the chips."""
    for params, echoed in (
        ({"q": evil}, True),
        ({"q": evil * 40}, True),
        ({"author": evil}, False),
    ):
        response = client.get(SEARCH, params)
        html = response.content.decode()
        assert response.status_code in (200, 400)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        if echoed:
            assert "&lt;" in html and escape(evil) in html


@pytest.mark.django_db
def test_too_long_query_says_why(client, corpus):
    """The 400 page explains the limit instead of searching 10 KB of text."""
    html = client.get(SEARCH, {"q": "x" * 10_000}).content.decode()
    assert "Ensure this value has at most 200 characters" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "folded"),
    [({}, True), ({"q": "x"}, True), ({"section": "world"}, False), ({"sort": "oldest"}, False)],
)
def test_filters_fold_away_unless_in_use(client, filtered, params, folded):
    """The filter fields sit in a <details> element, open when a filter is in use."""
    html = client.get(SEARCH, params).content.decode()
    assert ('<details class="search-form__more">' in html) is folded
    assert ('<details class="search-form__more" open>' in html) is not folded


@pytest.mark.django_db
def test_search_reads_the_databases_own_full_text_index():
    """PostgreSQL: a GIN index on the stored document; SQLite: the FTS5 table. Neither computes
    a text vector or scans text per article at search time."""
    query = str(search_articles(Article.objects.published(), "glacier").query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_document_stored'"
            )
            (definition,) = cursor.fetchone()
            assert "USING gin (search_document)" in definition
            assert '"search_document") @@' in query and "to_tsvector" not in query
        else:
            assert f"{search_index.SQLITE_TABLE} MATCH" in query


@pytest.mark.django_db
def test_index_follows_every_kind_of_write(make_article):
    """Saves, queryset updates, bulk inserts and deletes all reach the index (triggers)."""
    article = make_article(headline="Quiet day", body="<p>Nothing happened.</p>")
    published = Article.objects.published()
    assert not search_articles(published, "avalanche").exists()
    article.body = "<p>An avalanche closed the pass.</p>"
    article.save()
    assert list(search_articles(published, "avalanche")) == [article]
    Article.objects.filter(pk=article.pk).update(headline="Volcano wakes")
    assert list(search_articles(published, "volcano")) == [article]
    assert not search_articles(published, "quiet").exists()
    Article.objects.filter(pk=article.pk).update(view_count=5)  # not a text column
    assert list(search_articles(published, "volcano")) == [article]
    (bulk,) = Article.objects.bulk_create(
        [
            Article(
                headline="Tsunami drill",
                slug="tsunami-drill",
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - dt.timedelta(minutes=5),
            )
        ]
    )
    assert [a.pk for a in search_articles(published, "tsunami")] == [bulk.pk]
    article.delete()
    assert not search_articles(published, "volcano").exists()


@pytest.mark.django_db
def test_markup_is_not_searched(make_article):
    """Tag names and link addresses in the body are not words of the story."""
    make_article(body='<p><strong>Bold</strong> <a href="https://example.org/zanzibar">x</a></p>')
    published = Article.objects.published()
    assert search_articles(published, "bold").exists()
    for word in ("strong", "href", "zanzibar"):
        assert not search_articles(published, word).exists(), word


@pytest.mark.django_db
def test_words_in_any_script_are_found(make_article):
    """Korean, Cyrillic and accented words are indexed and found."""
    story = make_article(headline="서울 시장 선거", dek="Путин и Ким", body="<p>Café José</p>")
    published = Article.objects.published()
    for query in ("서울", "Путин", "José"):
        assert list(search_articles(published, query)) == [story], query


@pytest.mark.django_db(transaction=True)
def test_sqlite_index_comes_back_after_its_table_is_rebuilt(make_article):
    """Django rebuilds a SQLite table to alter it, dropping its triggers: after migrate they
    are put back and the index rebuilt."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds tables; PostgreSQL alters them in place")
    with connection.cursor() as cursor:
        for name in search_index.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    story = make_article(headline="Meteor shower tonight")
    published = Article.objects.published()
    assert not search_articles(published, "meteor").exists()
    search_index.reinstall_after_migrate(sender=None, using="default")
    assert list(search_articles(published, "meteor")) == [story]
    story.delete()
    assert not search_articles(published, "meteor").exists()
