"""Reader comments: posting through the cached article page, moderation, spam defences,
hostile input, closing, erasure, and what the page cache does with all of it."""

import datetime as dt
import html as html_lib
import importlib
import json
import re
from urllib.error import URLError

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import spam
from comments.models import Comment, Discussion, TrustedCommenter
from tests.staff import staff_user

# The page cache is invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture(autouse=True)
def comment_settings(settings):
    settings.COMMENTS_MIN_SECONDS = 0
    settings.COMMENTS_PREMODERATION = True
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    settings.COMMENTS_RATE_LIMIT = 5
    settings.AKISMET_API_KEY = ""
    return settings


@pytest.fixture
def story(make_article):
    return make_article(headline="Harbour reopens after storm")


@pytest.fixture
def reader():
    """A browser: Django's CSRF check is enforced, as for real readers."""
    return Client(enforce_csrf_checks=True)


def comment_form(html):
    start = html.index('<form class="comment-form"')
    return html[start : html.index("</form>", start)]


def form_data(reader, article, **fields):
    """What the cached page's form posts once comments.js has fetched the reader's key."""
    page = reader.get(article.get_absolute_url()).content.decode()
    data = dict(HIDDEN.findall(comment_form(page)))
    data.update(reader.get(reverse("comments:key", args=[article.pk])).json())
    data.update(name="Mina Park", email="mina@example.com", comment="Good reporting.", honeypot="")
    data.update(fields)
    return data


def post(reader, article, **fields):
    return reader.post(reverse("comments:post"), form_data(reader, article, **fields))


def make_comment(article, **kwargs):
    kwargs.setdefault("user_name", "Reader")
    kwargs.setdefault("user_email", "reader@example.com")
    kwargs.setdefault("comment", "A comment.")
    kwargs.setdefault("is_public", True)
    return Comment.objects.create(article=article, **kwargs)


def moderator():
    """An editor with the comment permissions migration 0002 grants (a flushed test database
    has lost them)."""
    user = staff_user("Editor")
    migration = importlib.import_module("comments.migrations.0002_moderator_permissions")
    from django.apps import apps

    migration.grant_editors(apps, None)
    user.groups.set([Group.objects.get(name="Editor")])
    return user


def admin_action(client, action, comments):
    return client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


# --- Readers ---------------------------------------------------------------------------------


def test_page_shows_count_comments_oldest_first_replies_and_form(client, story):
    """ "3 comments", oldest first with name and date, a reply under its comment, and a form."""
    now = timezone.now()
    first = make_comment(
        story, user_name="Ann", comment="First!", submit_date=now - dt.timedelta(hours=3)
    )
    make_comment(story, user_name="Bo", comment="Second.", submit_date=now - dt.timedelta(hours=2))
    make_comment(story, user_name="Cy", comment="Reply to Ann.", parent=first)
    make_comment(story, user_name="Hidden", comment="Pending one.", is_public=False)
    page = client.get(story.get_absolute_url()).content.decode()
    html = page[page.index('id="comments"') :]
    assert ">3 comments</h2>" in html
    assert html.index("First!") < html.index("Reply to Ann.") < html.index("Second.")
    assert "Pending one." not in html and "Hidden" not in html
    assert 'class="comments__replies"' in html
    form = comment_form(html)
    assert 'maxlength="300"' in form and 'name="email"' in form
    assert 'name="csrfmiddlewaretoken" value=""' in form  # the cached page holds no token


def test_email_is_never_shown(client, story):
    """The commenter's email is on no page, feed, sitemap or JSON-LD."""
    make_comment(story, user_email="secret.reader@example.com")
    for url in (
        story.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:feed"),
        reverse("articles:sitemap_index"),
        reverse("articles:news_sitemap"),
    ):
        assert "secret.reader" not in client.get(url).content.decode(), url


def test_json_ld_has_comment_count_and_comments(client, story):
    """NewsArticle JSON-LD carries commentCount and each published comment as a Comment."""
    make_comment(story, user_name="Ann", comment="</script><b>hi</b>", user_email="a@example.com")
    make_comment(story, comment="Not yet.", is_public=False)
    html = client.get(story.get_absolute_url()).content.decode()
    block = re.search(
        r'<script type="application/ld\+json">(\{"@context[^<]*NewsArticle.*?)</script>', html
    )
    data = json.loads(block.group(1))
    assert data["commentCount"] == 1
    (comment,) = data["comment"]
    assert comment["@type"] == "Comment" and comment["author"]["name"] == "Ann"
    assert comment["text"] == "</script><b>hi</b>" and "a@example.com" not in block.group(1)


def test_post_through_the_cached_page_then_wait_for_moderation(reader, story):
    """A reader posts from the cached page (token fetched separately); it waits for an editor."""
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    response = post(reader, story, comment="I was there.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING and comment.ip_address == "127.0.0.1"
    told = reader.get(response["Location"]).content.decode()
    assert "once an editor has read it" in told
    assert "I was there." not in reader.get(story.get_absolute_url()).content.decode()


def test_trusted_commenter_and_no_premoderation_publish_at_once(reader, story, settings):
    """A trusted commenter's comment is visible at once; so is everyone's without pre-moderation."""
    TrustedCommenter.objects.create(email="Mina@Example.com")
    response = post(reader, story, comment="Trusted words.")
    assert "is published" in reader.get(response["Location"]).content.decode()
    assert "Trusted words." in reader.get(story.get_absolute_url()).content.decode()
    settings.COMMENTS_PREMODERATION = False
    post(reader, story, email="new@example.com", comment="Open words.")
    assert "Open words." in reader.get(story.get_absolute_url()).content.decode()


def test_without_javascript_the_form_comes_back_to_confirm(reader, story):
    """No token (JavaScript off): nothing is saved, the reader's words come back with a token."""
    page = reader.get(story.get_absolute_url()).content.decode()
    data = dict(HIDDEN.findall(comment_form(page)))
    data.update(name="Mina Park", email="mina@example.com", comment="Typed with care.")
    response = reader.post(reverse("comments:post"), data)
    assert response.status_code == 403 and not Comment.objects.exists()
    html = response.content.decode()
    assert "Typed with care." in html and "post it again" in html
    again = dict(HIDDEN.findall(comment_form(html)))
    again.update(name="Mina Park", email="mina@example.com", comment="Typed with care.")
    assert again["csrfmiddlewaretoken"] and again["started"]
    assert reader.post(reverse("comments:post"), again).status_code == 302
    assert Comment.objects.get().comment == "Typed with care."


def test_a_forged_cross_site_post_is_refused(reader, story):
    """A token from another browser does not pass Django's CSRF check."""
    data = form_data(Client(), story)  # someone else's token and cookie
    assert reader.post(reverse("comments:post"), data).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"comment": ""}, "Write a comment before posting."),
        ({"comment": " \n\t "}, "Write a comment before posting."),
        ({"comment": "x" * 301}, "Keep your comment to 300 characters; it has 301."),
        ({"comment": "evil \u202etxt.exe"}, "change the direction of the text"),
        ({"name": "Mina\u202e"}, "change the direction of the text"),
        ({"comment": "a http://a.example b https://b.example c www.c.example"}, "at most 2 links"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": ""}, "Give a name to sign your comment with."),
        ({"comment": "nul \x00 byte"}, "Null characters are not allowed."),
    ],
    ids=[
        "empty",
        "whitespace",
        "301",
        "rtl-override",
        "rtl-name",
        "links",
        "email",
        "no-name",
        "nul",
    ],
)
def test_hostile_input_is_refused_with_a_message_and_nothing_saved(reader, story, fields, message):
    """Each bad field gets its message back, the reader's other input kept, nothing saved."""
    response = post(reader, story, **fields)
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    assert message in html
    kept = {"name": "Mina Park", "email": "mina@example.com", "comment": "Good reporting."}
    assert all(value in html for field, value in kept.items() if field not in fields)
    assert not Comment.objects.exists()


def test_html_is_shown_escaped_and_control_characters_stripped(client, reader, story, settings):
    """Markup is printed as text, links are not clickable, control characters are gone."""
    settings.COMMENTS_PREMODERATION = False
    post(
        reader,
        story,
        name="<b>Bob</b>",
        comment="<script>alert(1)</script>\x07 see https://x.example",
    )
    comment = Comment.objects.get()
    assert comment.comment == "<script>alert(1)</script> see https://x.example"
    html = client.get(story.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html
    assert 'href="https://x.example"' not in html


def test_exactly_300_characters_with_crlf_line_breaks_are_accepted(reader, story):
    """Browsers send line breaks as CRLF: each counts once, as the live count showed."""
    text = ("한국어 댓글 " * 60)[:298].strip() + "\r\nok"
    text = text[: 300 - 0]
    assert len(text.replace("\r\n", "\n")) <= 300 < len(text) + 2
    assert post(reader, story, comment=text).status_code == 302
    assert Comment.objects.get().comment == text.replace("\r\n", "\n").strip()


def test_honeypot_and_time_to_submit(reader, story, settings):
    """A filled honeypot, or a post faster than COMMENTS_MIN_SECONDS, saves nothing."""
    response = post(reader, story, honeypot="http://spam.example")
    assert response.status_code == 400 and "automatic spam" in response.content.decode()
    settings.COMMENTS_MIN_SECONDS = 60
    response = post(reader, story)
    assert response.status_code == 400 and "That was quick" in response.content.decode()
    assert not Comment.objects.exists()


def test_rate_limit_per_address(reader, story, settings):
    """The sixth comment within the window from one address waits; others are not affected."""
    settings.COMMENTS_RATE_LIMIT = 2
    assert post(reader, story, comment="one").status_code == 302
    assert post(reader, story, comment="two").status_code == 302
    response = post(reader, story, comment="three")
    assert response.status_code == 429 and "three" in response.content.decode()
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.9")
    assert post(other, story, comment="from elsewhere").status_code == 302
    assert Comment.objects.count() == 3


def test_akismet_verdict_is_used_when_a_key_is_set(reader, story, settings, monkeypatch):
    """With AKISMET_API_KEY, Akismet's "true" keeps a comment aside as spam; no answer holds it."""
    settings.AKISMET_API_KEY = "k3y"
    asked = []

    def answer(method_answer):
        def fake(key, method, data):
            asked.append((key, method, data["comment_content"], data["comment_author_email"]))
            if isinstance(method_answer, Exception):
                return None
            return method_answer

        return fake

    monkeypatch.setattr(spam, "_akismet_call", answer("true"))
    post(reader, story, comment="Cheap pills")
    monkeypatch.setattr(spam, "_akismet_call", answer(URLError("down")))
    post(reader, story, comment="Real words")
    spam_comment, held = Comment.objects.order_by("pk")
    assert spam_comment.status == Comment.Status.SPAM and held.status == Comment.Status.PENDING
    assert asked[0] == ("k3y", "comment-check", "Cheap pills", "mina@example.com")


def test_reply_is_one_level_and_works_without_javascript(reader, story, settings):
    """The Reply link opens a form for that comment; a reply to a reply joins the thread."""
    settings.COMMENTS_PREMODERATION = False
    top = make_comment(story, user_name="Ann")
    answer = make_comment(story, user_name="Bo", parent=top)
    page = reader.get(reverse("comments:reply", args=[answer.pk]))
    assert page.status_code == 200 and "Reply to Ann" in page.content.decode()
    data = dict(HIDDEN.findall(comment_form(page.content.decode())))
    data.update(name="Cy", email="cy@example.com", comment="Agreed.", parent=str(answer.pk))
    assert reader.post(reverse("comments:post"), data).status_code == 302
    assert Comment.objects.get(user_name="Cy").parent == top


def test_closed_comments_show_without_the_form(client, reader, story, make_article):
    """Old stories close by themselves; an editor closes or opens any story; text is kept."""
    make_comment(story, comment="Kept on the page.")
    Discussion.objects.create(article=story, state=Discussion.State.CLOSED)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Kept on the page." in html and "are closed" in html
    assert '<form class="comment-form"' not in html
    data = form_data(reader, make_article(), comment="Too late.")
    data["object_pk"], data["security_hash"] = str(story.pk), ""
    response = reader.post(reverse("comments:post"), data)
    assert response.status_code == 403 and "Too late." in response.content.decode()
    old = make_article(published_at=timezone.now() - dt.timedelta(days=31))
    assert '<form class="comment-form"' not in client.get(old.get_absolute_url()).content.decode()
    Discussion.objects.create(article=old, state=Discussion.State.OPEN)
    assert '<form class="comment-form"' in client.get(old.get_absolute_url()).content.decode()
    assert Comment.objects.count() == 1


def test_comments_of_an_unpublished_article_are_never_shown(client, reader, story):
    """A story taken down shows nothing and takes nothing, even to a crafted post."""
    make_comment(story, comment="Visible before.")
    data = form_data(reader, story)
    story.status = story.Status.DRAFT
    story.save()
    assert reader.post(reverse("comments:post"), data).status_code == 404
    assert Comment.objects.count() == 1


# --- Moderation ------------------------------------------------------------------------------


def test_editor_moderates_in_bulk_and_sees_the_pending_count(client, story):
    """Approve, remove and mark as spam several at once; the admin index counts pending ones."""
    waiting = [make_comment(story, comment=f"Waiting {n}", is_public=False) for n in range(4)]
    client.force_login(moderator())
    index = client.get(reverse("admin:index")).content.decode()
    assert "<strong>4</strong> comments awaiting moderation" in index
    queue = client.get(reverse("admin:comments_comment_changelist") + "?status=pending")
    assert story.headline in queue.content.decode() and "Waiting 3" in queue.content.decode()
    admin_action(client, "approve", waiting[:2])
    admin_action(client, "remove", waiting[2:3])
    admin_action(client, "mark_spam", waiting[3:])
    statuses = [Comment.objects.get(pk=c.pk).status for c in waiting]
    assert statuses == ["published", "published", "removed", "spam"]
    assert (
        "No comment is awaiting moderation" in client.get(reverse("admin:index")).content.decode()
    )


def test_reporters_cannot_moderate(client, story):
    """A reporter sees no comments in the admin and cannot post an action."""
    pending = make_comment(story, is_public=False)
    client.force_login(staff_user("Reporter"))
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 403
    admin_action(client, "approve", [pending])
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert "awaiting moderation" not in client.get(reverse("admin:index")).content.decode()


def test_trust_action_publishes_the_next_comment_at_once(client, reader, story):
    """Trusting a commenter from the queue lets their next comment through."""
    first = make_comment(story, user_email="mina@example.com", is_public=False)
    client.force_login(moderator())
    admin_action(client, "trust_commenters", [first])
    post(reader, story, comment="Second one.")
    assert Comment.objects.get(comment="Second one.").status == Comment.Status.PUBLISHED


def test_erasure_removes_every_comment_and_email_of_a_commenter(client, story, make_article):
    """Erasing a commenter deletes all their comments everywhere; others' replies stay."""
    mine = make_comment(story, user_email="Gone@example.com", comment="Mine.")
    make_comment(make_article(), user_email="gone@example.com", comment="Also mine.")
    reply = make_comment(story, user_email="other@example.com", parent=mine)
    TrustedCommenter.objects.create(email="gone@example.com")
    client.force_login(moderator())
    response = admin_action(client, "erase_commenters", [mine])
    assert "2 comments and their email addresses deleted" in response.content.decode()
    assert not Comment.objects.by_email("gone@example.com").exists()
    assert not TrustedCommenter.objects.exists()
    reply.refresh_from_db()
    assert reply.parent is None


# --- The page cache --------------------------------------------------------------------------


def test_comment_changes_refresh_exactly_that_article_page(client, reader, story, make_article):
    """Posting, approving and removing refresh this story's page; lists and others stay cached."""
    other = make_article()
    urls = [story.get_absolute_url(), other.get_absolute_url(), reverse("articles:home")]
    for url in urls:
        client.get(url)
    post(reader, story, comment="Fresh comment.")
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "hit"  # a pending comment changes no page
    comment = Comment.objects.get()
    client.force_login(moderator())
    admin_action(client, "approve", [comment])
    client.logout()
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "miss" and "Fresh comment." in response.content.decode()
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"
    client.get(story.get_absolute_url())
    comment = Comment.objects.get()  # as the admin's change form loads it
    comment.is_removed = True
    comment.save()
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "miss" and "Fresh comment." not in response.content.decode()
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"


def test_a_published_comment_is_on_the_next_page_view(reader, story, settings):
    """A comment visible at once replaces the cached page at once."""
    settings.COMMENTS_PREMODERATION = False
    reader.get(story.get_absolute_url())
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    post(reader, story, comment="Straight through.")
    response = reader.get(story.get_absolute_url())
    assert "Straight through." in response.content.decode()


def test_cached_page_with_comments_costs_no_query(
    client, story, django_assert_num_queries, django_assert_max_num_queries, warm_navigation
):
    """A hit makes no query with comments (the view is counted in the cache); a miss adds one,
    however many."""
    for n in range(12):
        parent = make_comment(story, comment=f"Comment {n}")
        make_comment(story, comment=f"Reply {n}", parent=parent)
    warm_navigation()
    with django_assert_max_num_queries(7):
        assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "hit" and ">24 comments</h2>" in response.content.decode()


def test_form_key_and_result_pages_are_never_cached(reader, story):
    """The key sets the CSRF cookie and is private; the article page itself sets no cookie."""
    page = reader.get(story.get_absolute_url())
    assert not page.cookies and "public" in page["Cache-Control"]
    key = reader.get(reverse("comments:key", args=[story.pk]))
    assert "no-store" in key["Cache-Control"] and "csrftoken" in key.cookies


def test_editor_closes_an_articles_comments_in_the_admin(client, story):
    """The admin form, posted as the browser does, closes the comments of the cached page."""
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    editor = Client()
    editor.force_login(moderator())
    response = editor.post(
        reverse("admin:comments_discussion_add"),
        {"article": story.pk, "state": "closed", "_save": "Save"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(story.get_absolute_url()).content.decode()
    assert "are closed" in html and '<form class="comment-form"' not in html


def test_editor_unpublishes_one_comment_from_its_change_form(client, story):
    """Unticking "published" on the change form takes the comment off the cached page."""
    comment = make_comment(story, comment="Soon gone.")
    assert "Soon gone." in client.get(story.get_absolute_url()).content.decode()
    editor = Client()
    editor.force_login(moderator())
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert "Soon gone." in editor.get(url).content.decode()
    response = editor.post(url, {"is_removed": "on", "_save": "Save"})  # unticked boxes: absent
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.REMOVED
    assert "Soon gone." not in client.get(story.get_absolute_url()).content.decode()
