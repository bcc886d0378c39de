"""The lead and social image boxes: each photo is offered with its thumbnail, caption and
credit, never as "Image credit 5"; the form posts and saves the choice as a browser sends it."""

import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.staff import browser_post_data, change_url, errors_of, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return staff_user("Editor")


@pytest.fixture
def photo(settings, tmp_path, make_credit, png_bytes):
    settings.MEDIA_ROOT = tmp_path
    return make_credit(
        caption="",
        credit_line="Harbour Agency",
        alt_text="Fishing boats in a harbour",
        image=SimpleUploadedFile("boats.png", png_bytes),
    )


def picked(client, field: str, term: str) -> list[dict]:
    query = {"term": term, "app_label": "articles", "model_name": "article", "field_name": field}
    url = reverse("admin:articles_imagecredit_picker") + "?" + urlencode(query)
    return client.get(url).json()["results"]


@pytest.mark.parametrize("field", ["lead_image", "social_image"])
def test_picker_offers_thumbnail_caption_and_credit(client, editor, photo, make_credit, field):
    make_credit(caption="Fishing boats moored at dawn in the harbour.", credit_line="")
    client.force_login(editor)
    results = {result["id"]: result for result in picked(client, field, "harbour")}
    chosen = results[str(photo.pk)]
    assert chosen["text"] == "No caption — Harbour Agency"
    assert chosen["thumbnail"].endswith((".png", ".webp", ".jpg"))
    other = next(result for key, result in results.items() if key != str(photo.pk))
    assert (
        other["text"] == "Fishing boats moored at dawn in the harbour. — no credit (no photo file)"
    )
    assert other["thumbnail"] == ""
    assert not any(result["text"].startswith("Image credit") for result in results.values())


def test_form_shows_the_chosen_photo_and_saves_it_as_posted(client, editor, photo, make_article):
    article = make_article(headline="Harbour reopens", lead_image=photo)
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert "No caption — Harbour Agency" in html
    assert 'class="nr-photo-autocomplete"' in html
    assert "articles/admin/photo_picker.js" in html
    assert f"Image credit {photo.pk}" not in html
    thumbnail = re.search(rf'<option value="{photo.pk}"[^>]*data-thumbnail="([^"]+)"', html)
    assert thumbnail and thumbnail.group(1).startswith("/")

    data = browser_post_data(html, "article_form", social_image=str(photo.pk))
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.lead_image == photo and article.social_image == photo


def test_picker_needs_staff(client):
    assert client.get(reverse("admin:articles_imagecredit_picker")).status_code == 302
