"""Brotli and gzip for pages, feeds and sitemaps; never for a response that carries a secret."""

import gzip

import brotli
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from newsroom.compression import accepted_codings, choose_coding
from tests.staff import staff_user


def decoded(response) -> bytes:
    coding = response.get("Content-Encoding")
    if coding == "br":
        return brotli.decompress(response.content)
    if coding == "gzip":
        return gzip.decompress(response.content)
    return response.content


@pytest.fixture
def story(make_article):
    return make_article(headline="Compressed story", body="<p>Words. </p>" * 200)


def test_accept_encoding_is_read_with_its_weights():
    assert accepted_codings("br;q=0.8, gzip , identity;q=0") == {
        "br": 0.8,
        "gzip": 1.0,
        "identity": 0.0,
    }
    assert choose_coding("gzip, deflate, br, zstd") == "br"
    assert choose_coding("gzip, br;q=0") == "gzip"
    assert choose_coding("*") == "br"
    assert choose_coding("*, br;q=0, gzip;q=0") is None
    assert choose_coding("identity") is None
    assert choose_coding("") is None
    assert choose_coding("br;q=nonsense, gzip;q=0.5") == "gzip"


@pytest.mark.django_db
@pytest.mark.parametrize("coding", ["br", "gzip"])
@pytest.mark.parametrize(
    "name", ["articles:home", "articles:detail", "articles:feed", "articles:sitemap_index"]
)
def test_pages_feeds_and_sitemaps_are_compressed_when_accepted(client, story, name, coding):
    url = reverse(name, kwargs={"slug": story.slug} if name == "articles:detail" else None)
    plain = client.get(url)
    packed = client.get(url, headers={"accept-encoding": coding})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == coding
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
    if name == "articles:detail":  # each view is counted: compare all but the count
        assert decoded(packed).replace(b"2 views", b"1 view") == plain.content
    else:
        assert decoded(packed) == plain.content


@pytest.mark.django_db
def test_a_cached_page_is_compressed_too(client, story):
    url = story.get_absolute_url()
    client.get(url)
    hit = client.get(url, headers={"accept-encoding": "br"})
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "br"
    assert b"Compressed story" in decoded(hit)


@pytest.mark.django_db
def test_search_results_are_compressed(client, story):
    response = client.get(reverse("articles:search"), {"q": "words"}, HTTP_ACCEPT_ENCODING="br")
    assert response["Content-Encoding"] == "br"
    assert b"Compressed story" in decoded(response)


@pytest.mark.django_db
def test_pages_with_a_csrf_token_are_never_compressed():
    """The admin's sign-in form carries a CSRF token: BREACH could read it."""
    response = Client().get(reverse("admin:login"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200 and b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


@pytest.mark.django_db
def test_signed_in_readers_get_uncompressed_pages(client, story):
    """A request with a session may be shown private things (previews, the admin)."""
    client.force_login(staff_user("Editor"))
    for url in (story.get_absolute_url(), reverse("admin:articles_article_changelist")):
        response = client.get(url, HTTP_ACCEPT_ENCODING="br")
        assert response.status_code == 200
        assert "Content-Encoding" not in response, url


@pytest.mark.django_db
def test_small_responses_are_sent_as_they_are(client):
    response = client.get(reverse("articles:robots_txt"), HTTP_ACCEPT_ENCODING="br")
    assert "Content-Encoding" not in response


@pytest.mark.django_db
def test_collected_static_files_get_brotli_copies(settings, tmp_path):
    """collectstatic writes .br (and .gz) copies; WhiteNoise serves brotli to who accepts it."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # The site's own files (the admin's and the editor's take long to compress, the same way).
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        ignore_patterns=["admin", "django_prose_editor"],
    )
    (css,) = [p for p in tmp_path.glob("articles/site.*.css")]
    assert css.with_name(css.name + ".br").is_file()
    response = Client().get(f"/static/articles/{css.name}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "br"
    body = b"".join(response.streaming_content)
    assert brotli.decompress(body) == css.read_bytes()


def test_responses_that_set_cookies_or_are_private_are_never_compressed(rf):
    """Whatever view makes them: a cookie or a private page may hold a secret."""
    from django.http import HttpResponse

    from newsroom.compression import CompressionMiddleware

    def view_setting_cookie(request):
        response = HttpResponse("<p>secret</p>" * 100)
        response.set_cookie("token", "abc")
        return response

    def private_view(request):
        response = HttpResponse("<p>mine</p>" * 100)
        response["Cache-Control"] = "private"
        return response

    def public_view(request):
        return HttpResponse("<p>news</p>" * 100)

    for view, compressed in (
        (view_setting_cookie, False),
        (private_view, False),
        (public_view, True),
    ):
        response = CompressionMiddleware(view)(rf.get("/", HTTP_ACCEPT_ENCODING="br"))
        assert ("Content-Encoding" in response) is compressed, view.__name__
