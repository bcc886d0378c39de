"""What readers see on a live or scheduled story changes only through an editor, through
whichever admin page a reporter can reach."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.desk.models import EditorialNote
from articles.fronts.models import BreakingNews, Front
from articles.models import Article, Correction, ImageCredit, ImageSource
from articles.redirects.models import Redirect

pytestmark = pytest.mark.django_db


@pytest.fixture
def story_out(make_article, make_credit, make_related, reporter, reporter_author):
    """Live and scheduled stories the reporter once drafted, with everything a page shows."""
    credit = make_credit(caption="Boats at dawn.", alt_text="Boats in a harbour")
    credit.sources.add(ImageSource.objects.create(name="Harbour Agency"))
    live = make_article(authors=[reporter_author], lead_image=credit, tags=["Harbour"])
    scheduled = make_article(
        authors=[reporter_author],
        lead_image=make_credit(caption="Later photo."),
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    make_related(live, target=scheduled)
    make_related(scheduled, headline="Elsewhere")
    Correction.objects.create(article=live, text="A name was misspelt.")
    # What the home page shows around them: a live front pinning the story, a banner, the
    # story's old address, and the desk's note on it (a reporter's own kept form draft is not
    # shown anywhere, so theirs to delete).
    zone = Front.objects.create(name="Today", live_from=timezone.now()).zones.create(name="Lead")
    zone.pins.create(slot=1, article=live)
    BreakingNews.objects.create(text="Polls close at eight.", starts_at=timezone.now())
    Redirect.objects.create(old_path="/old-harbour-story/", new_path=live.get_absolute_url())
    EditorialNote.objects.create(article=scheduled, author=reporter, text="Ready.")
    return live, scheduled


def test_no_admin_lets_a_reporter_change_what_a_story_out_shows(reporter, story_out):
    """Every registered admin, every object in the database (all of them shown on the two
    stories, or staff accounts): the reporter may neither change nor delete any of them."""
    request = RequestFactory().get("/admin/")
    request.user = reporter
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for obj in model_admin.get_queryset(request):
            label = f"{model._meta.label} {obj.pk}"
            assert not model_admin.has_change_permission(request, obj), label
            assert not model_admin.has_delete_permission(request, obj), label
            checked += 1
    assert checked >= 15


def test_reporter_cannot_rewrite_a_live_story_photo(client, reporter, story_out, png_bytes):
    """The credit's change page is read-only for the reporter, says why, and a crafted POST is
    refused."""
    live, _ = story_out
    credit = live.lead_image
    client.force_login(reporter)
    url = reverse("admin:articles_imagecredit_change", args=[credit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "only an editor can change it" in page.content.decode()
    assert 'name="caption"' not in page.content.decode()
    response = client.post(
        url, {"caption": "Rewritten.", "alt_text": "x", "credit_line": "Someone else"}
    )
    assert response.status_code == 403
    credit.refresh_from_db()
    assert credit.caption == "Boats at dawn." and credit.credit_line == "Reuters"


def test_reporter_edits_a_photo_no_story_out_shows(
    client, reporter, make_article, make_credit, reporter_author
):
    """A credit used only on drafts (or on nothing yet) stays the reporter's to edit."""
    credit = make_credit(caption="Draft photo.")
    make_article(status=Article.Status.DRAFT, authors=[reporter_author], lead_image=credit)
    client.force_login(reporter)
    url = reverse("admin:articles_imagecredit_change", args=[credit.pk])
    response = client.post(url, {"caption": "Better caption.", "alt_text": "Boats"})
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.caption == "Better caption."


def test_editor_still_changes_a_live_story_photo(client, editor, story_out):
    """Editors keep the right the reporter lacks."""
    credit = story_out[0].lead_image
    client.force_login(editor)
    url = reverse("admin:articles_imagecredit_change", args=[credit.pk])
    response = client.post(url, {"caption": "Corrected caption.", "alt_text": "Boats"})
    assert response.status_code == 302
    assert ImageCredit.objects.get(pk=credit.pk).caption == "Corrected caption."
