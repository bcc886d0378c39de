"""Roles, publishing rules, scheduling, revisions, optimistic locking and corrections, as the
admin enforces them on the server."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, Correction
from tests.staff import add_url, article_form_data, change_url, errors_of, staff_user

pytestmark = pytest.mark.django_db


def test_groups_exist_after_migrate():
    """The data migration made both groups with the permissions that define them."""
    reporter = Group.objects.get(name="Reporter")
    editor = Group.objects.get(name="Editor")
    reporter_perms = set(reporter.permissions.values_list("codename", flat=True))
    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article"} <= reporter_perms
    assert not {"publish_article", "delete_article", "edit_any_article"} & reporter_perms
    assert {"publish_article", "edit_any_article", "add_correction"} <= editor_perms
    assert "change_correction" not in editor_perms and "delete_correction" not in editor_perms


def test_reporter_forged_publish_on_add_is_refused(client, reporter, reporter_author, make_section):
    """A reporter who posts status=published for a new article gets an error and no article."""
    client.force_login(reporter)
    data = article_form_data(
        headline="Forged",
        slug="forged",
        body="<p>Text.</p>",
        section=make_section().pk,
        status="published",
        published_at=timezone.now(),
        authors=[reporter_author],
    )
    response = client.post(add_url(), data)
    assert response.status_code == 200
    assert "Only an editor can publish" in errors_of(response)
    assert not Article.objects.filter(slug="forged").exists()


def test_reporter_forged_publish_on_own_draft_is_refused(
    client, reporter, reporter_author, make_article
):
    """Forging the status on an existing draft leaves it a draft."""
    article = make_article(status=Article.Status.DRAFT, authors=[reporter_author])
    client.force_login(reporter)
    response = client.post(change_url(article), article_form_data(article, status="published"))
    assert response.status_code == 200
    assert "Only an editor can publish" in errors_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_reporter_cannot_set_publish_time(client, reporter, reporter_author, make_article):
    """The publish time is read-only for reporters: a posted one is ignored."""
    article = make_article(
        status=Article.Status.DRAFT, authors=[reporter_author], published_at=None
    )
    client.force_login(reporter)
    data = article_form_data(article, published_at=timezone.now() + dt.timedelta(days=1))
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.published_at is None


def test_reporter_submits_own_draft_for_review(client, reporter, reporter_author, make_article):
    """A reporter edits their own draft and sends it to review."""
    article = make_article(status=Article.Status.DRAFT, authors=[reporter_author])
    client.force_login(reporter)
    data = article_form_data(article, status="review", headline="Better headline")
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert (article.status, article.headline) == ("review", "Better headline")


def test_reporter_cannot_edit_others_or_published(client, reporter, reporter_author, make_article):
    """Someone else's draft, and the reporter's own live article, are read-only to them."""
    other = make_article(status=Article.Status.DRAFT)
    live = make_article(authors=[reporter_author])
    client.force_login(reporter)
    for article in (other, live):
        response = client.post(change_url(article), article_form_data(article, headline="X"))
        assert response.status_code == 403
        article.refresh_from_db()
        assert article.headline != "X"
        # They can still read it.
        assert client.get(change_url(article)).status_code == 200


def test_reporter_must_stay_on_byline(client, reporter, make_article, make_author):
    """Removing oneself from the byline is refused: the article would be locked to them."""
    article = make_article(status=Article.Status.DRAFT, authors=[reporter.author_profile])
    client.force_login(reporter)
    response = client.post(change_url(article), article_form_data(article, authors=[make_author()]))
    assert response.status_code == 200
    assert "Keep yourself" in errors_of(response)


def test_reporter_cannot_delete_or_run_editor_actions(
    client, reporter, reporter_author, make_article
):
    """Delete and publish actions are refused on the server, whatever is posted."""
    article = make_article(status=Article.Status.REVIEW, authors=[reporter_author])
    client.force_login(reporter)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    response = client.post(delete, {"post": "yes"}, follow=True)
    assert "Only an editor can delete articles." in response.content.decode()
    changelist = reverse("admin:articles_article_changelist")
    client.post(changelist, {"action": "publish_now", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_publishes_any_article(client, editor, make_article):
    """An editor publishes a reporter's article from the form; no time means now."""
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    data = article_form_data(article, status="published")
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.is_published()
    assert timezone.now() - article.published_at < dt.timedelta(minutes=1)


def test_publishing_says_what_is_missing(client, editor, make_article, make_credit):
    """Publishing without section, body and author, or with a lead image lacking alt text,
    lists each missing thing."""
    from django.core.files.base import ContentFile

    from tests.test_images import jpeg_bytes

    credit = make_credit(alt_text="")
    credit.image.save("photo.jpg", ContentFile(jpeg_bytes()))
    article = make_article(status=Article.Status.DRAFT, section=None, body="", authors=[])
    client.force_login(editor)
    data = article_form_data(article, status="published", lead_image=credit.pk)
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    errors = errors_of(response)
    for needed in ("a body", "a section", "alt text for the lead image", "at least one author"):
        assert needed in errors, needed
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_publish_action_skips_what_cannot_go_out(client, editor, make_article):
    """Publish now publishes the ready article and names the skipped one and why."""
    ready = make_article(status=Article.Status.REVIEW, headline="Ready story")
    not_ready = make_article(status=Article.Status.DRAFT, section=None, headline="No section")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [ready.pk, not_ready.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Published 1 article" in text and "Ready story" in text
    assert "Skipped 1 article" in text and "needs a section" in text
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.is_published() and not_ready.status == Article.Status.DRAFT


def test_schedule_action_and_unpublish(client, editor, make_article, time_machine):
    """Schedule asks for a time, then the article is scheduled; unpublish takes it down."""
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    first = client.post(changelist, {"action": "schedule", "_selected_action": [article.pk]})
    assert "Publish at" in first.content.decode()
    when = timezone.localtime(now + dt.timedelta(hours=2))
    client.post(
        changelist,
        {
            "action": "schedule",
            "_selected_action": [article.pk],
            "apply": "1",
            "publish_at_0": when.strftime("%Y-%m-%d"),
            "publish_at_1": when.strftime("%H:%M:%S"),
        },
    )
    article.refresh_from_db()
    assert article.is_scheduled() and article.workflow_state == "scheduled"
    client.post(changelist, {"action": "unpublish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_scheduled_article_goes_live_by_itself(client, editor, make_article, time_machine):
    """Scheduled through the form: 404 for readers before the time, the page after it."""
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    data = article_form_data(article, status="published", published_at=now + dt.timedelta(hours=1))
    assert client.post(change_url(article), data).status_code == 302
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article not in Article.objects.published()
    time_machine.move_to(now + dt.timedelta(hours=1, seconds=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_every_save_keeps_a_revision_and_restore_brings_text_back(client, editor, make_article):
    """Two saves make two revisions; restoring the first brings back its headline and body,
    and keeps the live view count."""
    article = make_article(status=Article.Status.DRAFT, headline="First headline")
    client.force_login(editor)
    first = article_form_data(article, body="<p>The original text.</p>")
    assert client.post(change_url(article), first).status_code == 302
    article.refresh_from_db()
    second = article_form_data(article, headline="Second headline", body="<p>Rewritten.</p>")
    assert client.post(change_url(article), second).status_code == 302
    Article.objects.filter(pk=article.pk).update(view_count=42)
    versions = Version.objects.get_for_object(article).order_by("pk")
    assert versions.count() == 2
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200 and "Compare" in history.content.decode()
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": versions[0].pk, "to": versions[1].pk},
    )
    html = compare.content.decode()
    assert "<del>First</del>" in html or "<del>First" in html
    assert "<ins>Second</ins>" in html or "<ins>Second" in html

    revision_url = reverse("admin:articles_article_revision", args=[article.pk, versions[0].pk])
    page = client.get(revision_url)
    assert page.status_code == 200 and "The original text." in page.content.decode()
    article.refresh_from_db()
    assert article.headline == "Second headline"  # looking changes nothing
    restore = article_form_data(
        article, headline="First headline", body="<p>The original text.</p>"
    )
    response = client.post(revision_url, restore)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "First headline"
    assert article.body == "<p>The original text.</p>"
    assert article.view_count == 42
    assert Version.objects.get_for_object(article).count() == 3


def test_second_editor_gets_a_conflict_not_an_overwrite(client, editor, make_article):
    """Both open version N; the first save wins, the second is refused with a clear message."""
    article = make_article(status=Article.Status.DRAFT, headline="Original")
    other_editor = staff_user("Editor", username="second")
    first_form = article_form_data(article, headline="First editor's headline")
    second_form = article_form_data(article, headline="Second editor's headline")
    client.force_login(editor)
    assert client.post(change_url(article), first_form).status_code == 302
    client.force_login(other_editor)
    response = client.post(change_url(article), second_form)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "saved this article" in errors and "NOT been saved" in errors
    article.refresh_from_db()
    assert article.headline == "First editor's headline"
    assert article.lock_version == 1


def test_body_is_sanitized_on_save_through_the_admin(client, editor, make_article):
    """XSS payloads typed into the body never reach the database or the page."""
    payloads = (
        "<script>alert(1)</script><p>Safe</p>",
        '<p onclick="alert(1)">Click</p>',
        '<a href="javascript:alert(1)">link</a>',
        "<img src=x onerror=alert(1)>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)></svg>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p style="background:url(javascript:alert(1))">styled</p>',
    )
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    data = article_form_data(article, body="".join(payloads) + "<h2>Sub</h2><ul><li>i</li></ul>")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    lowered = article.body.lower()
    for bad in (
        "<script",
        "onclick",
        "javascript:",
        "onerror",
        "<style",
        "<iframe",
        "<svg",
        "style=",
    ):
        assert bad not in lowered, bad
    assert "<p>Safe</p>" in article.body and "<h2>Sub</h2>" in article.body


def test_correction_shows_on_page_and_moves_modified_date(
    client, editor, make_article, time_machine
):
    """An appended correction is printed, dated, at the foot of the page and moves the date."""
    start = timezone.now().replace(microsecond=0)
    time_machine.move_to(start, tick=False)
    article = make_article(published_at=start - dt.timedelta(days=1))
    before = article.last_modified
    time_machine.move_to(start + dt.timedelta(hours=3), tick=False)
    client.force_login(editor)
    data = article_form_data(
        article, corrections=[{"kind": "correction", "text": "An earlier version misspelt Kazan."}]
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    correction = Correction.objects.get()
    assert correction.created_by == editor
    article.refresh_from_db()
    assert article.last_modified > before
    assert article.last_modified == start + dt.timedelta(hours=3)
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    foot = html[html.index('class="story__body"') :]
    assert "An earlier version misspelt Kazan." in foot
    assert foot.index("An earlier version misspelt Kazan.") < foot.index("</article>")
    assert "Updated" in html


def test_corrections_cannot_be_edited_or_deleted(client, editor, make_article):
    """Once appended, a correction is read-only and cannot be removed through the admin."""
    article = make_article()
    correction = Correction.objects.create(article=article, text="Original correction.")
    client.force_login(editor)
    url = reverse("admin:articles_correction_change", args=[correction.pk])
    assert client.post(url, {"kind": "note", "text": "Edited away"}).status_code == 403
    delete = reverse("admin:articles_correction_delete", args=[correction.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    data = article_form_data(article)
    data["corrections-0-text"] = "Edited through the inline"
    data["corrections-0-DELETE"] = "on"
    client.post(change_url(article), data)
    correction.refresh_from_db()
    assert correction.text == "Original correction."


def test_corrections_only_on_live_articles(make_article):
    """A draft has nothing to correct publicly: model validation says so."""
    from django.core.exceptions import ValidationError

    draft = make_article(status=Article.Status.DRAFT)
    with pytest.raises(ValidationError):
        Correction(article=draft, text="x").full_clean()


def test_byline_display_line_beside_structured_authors(client, make_article, make_author):
    """The display line is printed with the byline; author pages use the structured authors."""
    author = make_author(name="Jane Roe")
    article = make_article(authors=[author], byline_note="Reuters contributed to this report.")
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html[html.index('class="byline"') : html.index("</span>", html.index("byline__note"))]
    assert "Jane Roe" in byline and "Reuters contributed to this report." in byline
    assert article.headline in client.get(author.get_absolute_url()).content.decode()


def test_workflow_functions_report_skips(make_article, editor):
    """The move functions say what they skipped and why."""
    draft = make_article(status=Article.Status.DRAFT)
    outcome = workflow.unpublish([draft], user=editor)
    assert outcome.done == [] and outcome.skipped[0][1] == "not published or scheduled"
    outcome = workflow.return_to_draft([draft], user=editor)
    assert outcome.skipped[0][1] == "not in review"
