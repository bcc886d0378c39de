"""The content API: what it shows, its filters and errors, its schema and docs, CORS, the rate
limit, and its query budgets."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Correction

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """These tests read the database each time; tests/test_api_caching.py covers the cache."""
    settings.PAGE_CACHE_SECONDS = 0


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0].endswith("json")
    return response.json()


def slugs(body):
    return [story["slug"] for story in body["results"]]


@pytest.fixture
def newsroom(make_article, make_section, make_author):
    """Live stories in two sections, with a draft, one in review and a scheduled one."""
    now = timezone.now()
    world, sport = make_section(name="World"), make_section(name="Sport")
    jane = make_author(name="Jane Roe", email="jane@example.com")
    ali = make_author(name="Ali Khan", email="ali@example.com")
    stories = {
        "older": make_article(
            headline="Harbour reopens after storm",
            section=world,
            authors=[jane],
            tags=["Storms"],
            published_at=now - dt.timedelta(days=2),
        ),
        "newer": make_article(
            headline="Cup final goes to extra time",
            section=sport,
            authors=[ali, jane],
            tags=["Football"],
            published_at=now - dt.timedelta(hours=1),
        ),
        "draft": make_article(headline="Draft about storms", status=Article.Status.DRAFT),
        "review": make_article(headline="Storm review copy", status=Article.Status.REVIEW),
        "scheduled": make_article(
            headline="Storm embargoed until tomorrow", published_at=now + dt.timedelta(days=1)
        ),
    }
    return stories


# --- Lists and filters ----------------------------------------------------------------------


def test_list_shows_published_stories_newest_first_and_never_drafts_or_emails(client, newsroom):
    """Drafts, stories in review and scheduled stories never appear; neither do emails."""
    response = client.get(LIST)
    body = response.json()
    assert slugs(body) == [newsroom["newer"].slug, newsroom["older"].slug]
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    text = response.content.decode()
    for hidden in ("draft", "review", "scheduled"):
        assert newsroom[hidden].headline not in text
    assert "@example.com" not in text
    assert "email" not in text


def test_list_story_carries_its_byline_section_tags_and_times(client, newsroom):
    """Authors in byline order with their URLs; ISO 8601 times with an offset."""
    story = get_json(client, LIST)["results"][0]
    assert [author["name"] for author in story["authors"]] == ["Ali Khan", "Jane Roe"]
    assert story["authors"][0]["url"] == "http://testserver/author/ali-khan/"
    assert story["authors"][0]["api_url"] == "http://testserver/api/v1/authors/ali-khan/"
    assert story["section"]["slug"] == "sport"
    assert [tag["slug"] for tag in story["tags"]] == ["football"]
    assert story["url"] == f"http://testserver/news/{newsroom['newer'].slug}/"
    published = dt.datetime.fromisoformat(story["published_at"])
    assert published.tzinfo is not None
    assert abs(published - newsroom["newer"].published_at) < dt.timedelta(seconds=1)
    assert "body" not in story


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=world", ["older"]),
        ("tag=football", ["newer"]),
        ("author=jane-roe", ["newer", "older"]),
        ("author=ali-khan&section=sport", ["newer"]),
        ("q=harbour", ["older"]),
        ("q=storm", ["older"]),
        ("q=storm&section=sport", []),
    ],
)
def test_filters_combine_and_never_reach_unpublished_stories(client, newsroom, query, expected):
    """section, tag and author by slug, and q with the site's search, narrow published stories."""
    body = get_json(client, f"{LIST}?{query}")
    assert slugs(body) == [newsroom[name].slug for name in expected]


def test_updated_since_lists_stories_changed_or_published_since(client, newsroom):
    """A story edited after the moment, or published after it, is listed; others are not."""
    long_ago = timezone.now() - dt.timedelta(days=7)
    Article.objects.filter(pk__in=[newsroom["older"].pk, newsroom["newer"].pk]).update(
        updated_at=long_ago
    )
    moment = timezone.now() - dt.timedelta(minutes=30)
    since = moment.isoformat().replace("+", "%2B")
    assert slugs(get_json(client, f"{LIST}?updated_since={since}")) == []
    older = Article.objects.get(pk=newsroom["older"].pk)
    older.dek = "Now with a dek."
    older.save()
    assert slugs(get_json(client, f"{LIST}?updated_since={since}")) == [older.slug]
    # Without an offset the time is the site's; the newer story was published an hour ago.
    local = timezone.localtime(timezone.now() - dt.timedelta(minutes=90))
    listed = slugs(get_json(client, f"{LIST}?updated_since={local:%Y-%m-%dT%H:%M}"))
    assert listed == [newsroom["newer"].slug, older.slug]


def test_updated_since_reads_an_offset_whose_plus_was_not_encoded(client, newsroom):
    """ "+09:00" typed into a URL arrives as " 09:00"; it still means the offset."""
    moment = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=9)))
    moment -= dt.timedelta(minutes=90)
    raw = f"{moment:%Y-%m-%dT%H:%M:%S}+09:00"
    assert slugs(get_json(client, f"{LIST}?updated_since={raw}")) == slugs(
        get_json(client, f"{LIST}?updated_since={raw.replace('+', '%2B')}")
    )
    assert newsroom["newer"].slug in slugs(get_json(client, f"{LIST}?updated_since={raw}"))


def test_pagination_links_and_page_size(client, make_article):
    """next/previous links walk the pages; page_size sets the page's length."""
    for _ in range(5):
        make_article()
    first = get_json(client, f"{LIST}?page_size=2")
    assert len(first["results"]) == 2 and first["count"] == 5
    assert first["next"] == "http://testserver/api/v1/articles/?page=2&page_size=2"
    third = get_json(client, first["next"].replace("page=2", "page=3"))
    assert len(third["results"]) == 1 and third["next"] is None
    assert third["previous"] == "http://testserver/api/v1/articles/?page=2&page_size=2"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("section=no-such-section", 400, "section"),
        ("tag=no-such-tag", 400, "tag"),
        ("author=nobody", 400, "author"),
        ("updated_since=yesterday", 400, "updated_since"),
        ("updated_since=2024-13-45T99:00", 400, "updated_since"),
        ("q=" + "x" * 500, 400, "q"),
        ("page=abc", 400, "page"),
        ("page=0", 400, "page"),
        ("page=-1", 400, "page"),
        ("page_size=0", 400, "page_size"),
        ("page_size=100000", 400, "page_size"),
        ("page_size=ten", 400, "page_size"),
        ("page=99999999999999999999999", 404, None),
        ("page=2", 404, None),
    ],
)
def test_bad_query_parameters_get_a_json_error(client, newsroom, query, status, field):
    """Unknown values, bad dates and impossible pages: 400 or 404 in JSON, with a message."""
    body = get_json(client, f"{LIST}?{query}", status=status)
    assert body["status"] == status
    assert body["detail"]
    if field:
        assert field in body["errors"] and body["errors"][field][0]


def test_a_filter_value_only_a_draft_uses_is_unknown(client, make_article, make_author):
    """An author whose only story is a draft does not exist for the API."""
    hidden = make_author(name="Hidden Writer")
    make_article(authors=[hidden], status=Article.Status.DRAFT)
    get_json(client, f"{LIST}?author=hidden-writer", status=400)


# --- One story ------------------------------------------------------------------------------


@pytest.fixture
def full_story(make_article, make_author, make_credit, make_related, settings, tmp_path, png_bytes):
    settings.MEDIA_ROOT = tmp_path
    credit = make_credit(
        caption="The harbour at dawn.",
        credit_line="Reuters-Yonhap",
        place="Busan (South Korea)",
        alt_text="Cranes over an empty quay",
        image=SimpleUploadedFile("harbour.png", png_bytes, content_type="image/png"),
    )
    story = make_article(
        headline="부산항 재개장",
        slug="부산항-재개장",
        dek="The port reopens after the storm.",
        body='<p>First <a href="https://example.org/">link</a>.</p><script>alert(1)</script>',
        byline_note="Reuters contributed to this report.",
        authors=[make_author(name="Ким Ли", slug="ким-ли"), make_author(name="Zoë Brontë")],
        tags=["Ports"],
        lead_image=credit,
    )
    linked = make_article(headline="Storm warning issued")
    make_related(story, rail="Related Stories", target=linked)
    make_related(story, rail="Related Stories", headline="A story from elsewhere")
    Correction.objects.create(article=story, text="The port is in Busan, not Incheon.")
    return Article.objects.get(pk=story.pk)


def test_detail_shows_the_whole_story(client, full_story):
    """Headline, dek, sanitized body, byline, photo with renditions, rails and corrections."""
    story = get_json(client, f"/api/v1/articles/{full_story.slug}/")
    assert story["headline"] == "부산항 재개장"
    assert story["dek"] == story["summary"] == "The port reopens after the storm."
    assert "<script" not in story["body"] and 'href="https://example.org/"' in story["body"]
    assert [author["name"] for author in story["authors"]] == ["Ким Ли", "Zoë Brontë"]
    assert story["byline_note"] == "Reuters contributed to this report."
    assert story["url"] == "http://testserver" + full_story.get_absolute_url()
    image = story["lead_image"]
    assert image["caption"] == "The harbour at dawn."
    assert image["credit"] == "Reuters-Yonhap"
    assert image["place"] == "Busan (South Korea)"
    assert image["alt_text"] == "Cranes over an empty quay"
    assert (image["width"], image["height"]) == (40, 30)
    assert image["url"].startswith("http://testserver/media/")
    assert {r["type"] for r in image["renditions"]} == {"image/webp", "image/jpeg"}
    assert all(
        r["width"] == 40 and r["url"].startswith("http://testserver/") for r in image["renditions"]
    )
    related = story["rails"][0]
    assert related["title"] == "Related Stories" and not related["automatic"]
    assert related["stories"][0]["headline"] == "Storm warning issued"
    assert related["stories"][0]["url"].endswith("/news/storm-warning-issued/")
    assert related["stories"][1] == {
        "headline": "A story from elsewhere",
        "section": "",
        "url": None,
    }
    (correction,) = story["corrections"]
    assert correction["text"] == "The port is in Busan, not Incheon."
    assert dt.datetime.fromisoformat(correction["date"]).tzinfo is not None
    modified = dt.datetime.fromisoformat(story["modified_at"])
    assert modified >= dt.datetime.fromisoformat(story["published_at"])


@pytest.mark.parametrize("name", ["draft", "review", "scheduled"])
def test_unpublished_stories_are_not_found(client, newsroom, name):
    """A draft, a story in review or a scheduled story is a JSON 404, as on the site."""
    body = get_json(client, f"/api/v1/articles/{newsroom[name].slug}/", status=404)
    assert body == {"status": 404, "detail": "No published story has this slug."}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/no-such-story/",
        "/api/v1/authors/nobody/",
        "/api/v1/nothing/",
        "/api/v2/articles/",
    ],
)
def test_unknown_urls_are_json_404s(client, db, url):
    """Never the site's HTML page."""
    assert get_json(client, url, status=404)["status"] == 404


def test_a_database_outage_is_a_json_503(client, db, monkeypatch):
    """Like the site's pages, 503 with Retry-After; unlike them, in JSON."""
    from django.db import OperationalError

    from articles.models import ArticleQuerySet

    def unreachable(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ArticleQuerySet, "published", unreachable)
    body = get_json(client, LIST, status=503)
    assert body["status"] == 503
    assert client.get(LIST)["Retry-After"] == "5"


# --- Sections, authors, tags ----------------------------------------------------------------


def test_sections_authors_and_tags(client, newsroom, make_author):
    """Sections in navigation order; authors and tags of published stories only; no emails."""
    make_author(name="Nobody Yet", email="nobody@example.com")
    sections = get_json(client, "/api/v1/sections/")
    assert {s["slug"] for s in sections} >= {"world", "sport"}
    world = next(s for s in sections if s["slug"] == "world")
    assert world["articles_url"] == "http://testserver/api/v1/articles/?section=world"
    authors = get_json(client, "/api/v1/authors/")
    assert [a["slug"] for a in authors["results"]] == ["ali-khan", "jane-roe"]
    jane = get_json(client, "/api/v1/authors/jane-roe/")
    assert jane["name"] == "Jane Roe" and jane["url"] == "http://testserver/author/jane-roe/"
    assert "email" not in jane and "@" not in json.dumps(authors) + json.dumps(jane)
    tags = get_json(client, "/api/v1/tags/")
    assert [t["slug"] for t in tags["results"]] == ["football", "storms"]


# --- Query budgets --------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_stories(
    client, make_article, make_author, settings, django_assert_num_queries
):
    """Count, page, bylines and tags: 4 queries for 2 stories or 30 (page cache off)."""
    settings.API_RATE_LIMIT = ""
    make_article(authors=[make_author(), make_author()], tags=["a", "b"])
    make_article()
    with django_assert_num_queries(4):
        client.get(LIST)
    for _ in range(28):
        make_article(authors=[make_author(), make_author()], tags=["a", "b", "c"])
    with django_assert_num_queries(4):
        assert len(client.get(f"{LIST}?page_size=50").json()["results"]) == 30


def test_filtered_list_budget(client, newsroom, settings, django_assert_num_queries):
    """Each slug filter is checked with one query: 7 with all three."""
    with django_assert_num_queries(7):
        client.get(f"{LIST}?section=sport&tag=football&author=jane-roe")


def test_detail_queries_do_not_grow(
    client, make_article, make_author, make_related, settings, django_assert_num_queries
):
    """Story, byline, tags, curated rails and the automatic rails: 5, however long the byline."""
    story = make_article(authors=[make_author() for _ in range(4)], tags=["a", "b", "c"])
    for _ in range(6):
        make_related(story, target=make_article())
    with django_assert_num_queries(5):
        client.get(f"/api/v1/articles/{story.slug}/")


# --- Schema and docs ------------------------------------------------------------------------


def test_openapi_schema_describes_every_endpoint_and_filter(client, db):
    """OpenAPI 3, every URL, the filters and the pagination parameters."""
    schema = get_json(client, "/api/v1/openapi.json")
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/sections/",
        "/api/v1/authors/",
        "/api/v1/authors/{slug}/",
        "/api/v1/tags/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert parameters >= {"section", "tag", "author", "updated_since", "q", "page", "page_size"}
    article = schema["components"]["schemas"]["Article"]["properties"]
    assert article["published_at"]["format"] == "date-time"


def test_responses_have_exactly_the_keys_the_schema_names(client, full_story):
    """Sections, authors and tags are written without DRF's fields: keep them to the schema."""
    schemas = get_json(client, "/api/v1/openapi.json")["components"]["schemas"]

    def keys(name):
        return set(schemas[name]["properties"])

    story = get_json(client, f"/api/v1/articles/{full_story.slug}/")
    assert set(story) == keys("Article")
    assert set(story["section"]) == keys("SectionRef")
    assert set(story["authors"][0]) == keys("AuthorRef")
    assert set(story["tags"][0]) == keys("TagRef")
    assert set(story["lead_image"]) == keys("Image")
    assert set(story["lead_image"]["renditions"][0]) == keys("Rendition")
    assert set(story["rails"][0]) == keys("Rail")
    assert set(story["corrections"][0]) == keys("Correction")
    assert set(get_json(client, LIST)["results"][0]) == keys("ArticleSummary")
    assert set(get_json(client, "/api/v1/sections/")[0]) == keys("Section")
    assert set(get_json(client, "/api/v1/authors/")["results"][0]) == keys("Author")
    assert set(get_json(client, "/api/v1/tags/")["results"][0]) == keys("Tag")


def test_schema_is_valid_and_warning_free(tmp_path, db):
    """drf-spectacular's own validation against the OpenAPI 3 JSON schema passes."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_docs_page_uses_only_the_sites_own_files(client, db):
    """Swagger UI from the site's static files, its script and style from the site: no CDN."""
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/api/docs.css" in html
    assert "<style" not in html and "<script>" not in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    script = client.get("/api/v1/docs/?script")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- CORS and the rate limit ----------------------------------------------------------------


def test_cors_allows_any_site_to_read(client, newsroom):
    """A browser app on another origin may GET, send If-None-Match and read the ETag."""
    response = client.get(LIST, HTTP_ORIGIN="https://app.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "etag" in response["Access-Control-Expose-Headers"].lower()
    preflight = client.options(
        LIST,
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_only_get_is_allowed(client, newsroom):
    assert client.post(LIST, {}).status_code == 405
    assert client.delete(f"/api/v1/articles/{newsroom['older'].slug}/").status_code == 405


def test_rate_limit_per_address_with_retry_after(client, newsroom, settings):
    """Past the limit an address gets 429 with Retry-After, cached answers counted too;
    another address is not affected."""
    settings.API_RATE_LIMIT = "3/min"
    for _ in range(3):
        assert client.get(LIST, REMOTE_ADDR="203.0.113.9").status_code == 200
    limited = client.get(LIST, REMOTE_ADDR="203.0.113.9", HTTP_ORIGIN="https://app.example")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["status"] == 429
    # A browser app can read the refusal too.
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert client.get(LIST, REMOTE_ADDR="203.0.113.10").status_code == 200
    # A forged X-Forwarded-For does not make a new address.
    forged = client.get(LIST, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.status_code == 429
    # The site's pages are not limited by it.
    assert client.get("/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_every_url_is_on_the_site_origin_whatever_the_host(client, settings, make_article):
    """One origin (SITE_URL) for the API as for the pages: a response cached for one host is
    right for every other."""
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["localhost", "news.example"]
    for _ in range(3):
        make_article()
    for host in ("localhost", "news.example"):
        body = client.get(f"{LIST}?page_size=2", HTTP_HOST=host).content.decode()
        data = json.loads(body)
        assert data["next"] == "https://news.example/api/v1/articles/?page=2&page_size=2"
        assert data["results"][0]["url"].startswith("https://news.example/news/")
        assert "localhost" not in body and "testserver" not in body
