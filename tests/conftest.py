"""Small factories for tests: each fills in defaults with kwargs.setdefault."""

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author, Byline, ImageCredit, RelatedStory, Section
from articles.text import make_slug
from tests.staff import staff_user

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED_SOURCE = PROJECT_DIR / "fixtures" / "source"
DATA_DIR = Path(__file__).resolve().parent / "data"
FIRST_SEED = SEED_SOURCE / "000_beddb5d6a90416fb.txt"
SECOND_SEED = SEED_SOURCE / "001_04566e01e1819b0d.txt"

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty local-memory cache, whatever CACHE_URL says."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    cache.clear()
    # Views reach the database when a test flushes them, not whenever a test runs long.
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    # The test client's host; tests of the origin itself set their own.
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def make_section(db):
    def make(**kwargs):
        kwargs.setdefault("name", f"Section {next(_counter)}")
        kwargs.setdefault("slug", slugify(kwargs["name"]))
        return Section.objects.create(**kwargs)

    return make


@pytest.fixture
def make_author(db):
    def make(**kwargs):
        kwargs.setdefault("name", f"Author {next(_counter)}")
        kwargs.setdefault("slug", slugify(kwargs["name"]))
        return Author.objects.create(**kwargs)

    return make


@pytest.fixture
def make_article(db, make_section, make_author):
    def make(*, authors=None, tags=(), **kwargs):
        number = next(_counter)
        kwargs.setdefault("headline", f"Headline number {number}")
        kwargs.setdefault(
            "slug", make_slug(kwargs["headline"], max_length=300, fallback=f"story-{number}")
        )
        kwargs.setdefault("body", f"<p>Body of story {number}.</p>")
        kwargs.setdefault("status", Article.Status.PUBLISHED)
        kwargs.setdefault("published_at", timezone.now() - dt.timedelta(hours=1))
        if "section" not in kwargs:
            kwargs["section"] = make_section()
        article = Article.objects.create(**kwargs)
        for position, author in enumerate(authors if authors is not None else [make_author()]):
            Byline.objects.create(article=article, author=author, position=position)
        if tags:
            article.tags.add(*tags)
        return article

    return make


@pytest.fixture
def reporter_author(make_author):
    return make_author(name="Rita Reporter")


@pytest.fixture
def reporter(reporter_author):
    """A reporter linked to their author page, as the desk sets them up."""
    return staff_user("Reporter", author=reporter_author)


@pytest.fixture
def editor(make_author):
    return staff_user("Editor", author=make_author(name="Ed Itor"))


@pytest.fixture
def make_related(db):
    def make(article, **kwargs):
        kwargs.setdefault("rail", "Related Stories")
        kwargs.setdefault("position", article.related_stories.count())
        if "target" not in kwargs:
            kwargs.setdefault("headline", f"Elsewhere {next(_counter)}")
        return RelatedStory.objects.create(article=article, **kwargs)

    return make


@pytest.fixture
def make_credit(db):
    def make(**kwargs):
        kwargs.setdefault("caption", "A caption.")
        kwargs.setdefault("credit_line", "Reuters")
        return ImageCredit.objects.create(**kwargs)

    return make


@pytest.fixture
def png_bytes():
    """A small real PNG (40×30), for image fields."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "#a3001b").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def warm_navigation(db):
    """Read the header's sections and the breaking-news banners into the cache, as any earlier
    page of a running site has.

    Call it after the test's sections exist: a page measured next then pays only for itself.
    """
    from articles.caching import navigation_sections
    from articles.fronts.banner import live_banner

    def warm():
        live_banner()
        return navigation_sections()

    return warm


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache in local memory, then on the real test Redis (skipped when none answers)."""
    if request.param == "locmem":
        yield "locmem"
        return
    import uuid

    import redis

    from tests.test_cache_backend import TEST_REDIS_URL, cache_settings, redis_available

    if not redis_available():
        pytest.skip(f"no Redis at {TEST_REDIS_URL} (start one, or set TEST_REDIS_URL)")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = cache_settings(TEST_REDIS_URL, prefix)
    yield "redis"
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
