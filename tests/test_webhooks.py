"""Webhooks: events written with the change, signed deliveries to a real HTTP receiver on
127.0.0.1, retries with backoff, scheduled go-lives, and refusal of private addresses."""

import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from articles import workflow
from articles.models import Article, Correction
from tests.conftest import PROJECT_DIR
from tests.pages import write_pages
from tests.staff import staff_user
from webhooks import signing
from webhooks.delivery import run_once
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's endpoint: records every request and answers with the statuses it is given."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answered in turn; 200 once they run out
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.requests.append({"headers": dict(self.headers), "body": body})
                status = received.statuses.pop(0) if received.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/newsroom?from=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self, secret: str) -> list[dict]:
        """Each body, checked as a partner would, with a Standard Webhooks library."""
        return [Webhook(secret).verify(r["body"], r["headers"]) for r in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(url=receiver.url, description="Partner")


@pytest.fixture
def editor(db):
    return staff_user("Editor")


def deliver():
    call_command("deliver_webhooks", "--once", stdout=open("/dev/null", "w"))


def types(receiver, endpoint):
    return [payload["type"] for payload in receiver.payloads(endpoint.secret)]


def test_publishing_sends_a_signed_event_with_the_story(
    client, receiver, endpoint, editor, make_article, settings
):
    """The body is the API's story, signed the Standard Webhooks way, sent by the command."""
    settings.PAGE_CACHE_SECONDS = 0
    story = make_article(headline="Harbour reopens", status=Article.Status.DRAFT)
    assert WebhookEvent.objects.count() == 0
    outcome = workflow.publish_now(Article.objects.filter(pk=story.pk), user=editor)
    assert outcome.done
    assert receiver.requests == []  # nothing is sent inside the editor's request
    deliver()
    (request,) = receiver.requests
    (payload,) = receiver.payloads(endpoint.secret)
    event = WebhookEvent.objects.get()
    assert request["headers"]["webhook-id"] == event.message_id
    assert request["headers"]["Content-Type"] == "application/json"
    assert payload["type"] == "article.published"
    assert payload["data"]["id"] == story.pk
    assert payload["data"]["url"] == "http://testserver" + story.get_absolute_url()
    api = client.get(f"/api/v1/articles/{story.slug}/").json()
    assert payload["data"]["article"] == api
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (1, 200)
    assert delivery.log[0]["response"] == "thanks"


def test_signature_matches_the_standard_webhooks_example():
    """The example from the Standard Webhooks specification."""
    assert (
        signing.signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            '{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_readmes_verification_recipe_accepts_a_real_delivery(receiver, endpoint, make_article):
    """The recipe partners copy from the README works on what we send, and only on that."""
    readme = (PROJECT_DIR / "README.md").read_text()
    recipe = readme.split("**Verifying a delivery**", 1)[1].split("```python", 1)[1]
    namespace: dict = {}
    exec(recipe.split("```", 1)[0], namespace)
    make_article()
    deliver()
    (request,) = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert namespace["verify"](endpoint.secret, headers, request["body"])
    assert not namespace["verify"](endpoint.secret, headers, request["body"] + b"x")
    assert not namespace["verify"](WebhookEndpoint().secret, headers, request["body"])


def test_a_redirect_is_not_followed_but_retried(receiver, endpoint, make_article):
    receiver.statuses = [301]
    make_article()
    deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status == 301 and len(receiver.requests) == 1


def test_a_tampered_body_fails_verification(receiver, endpoint, make_article):
    make_article()
    deliver()
    (request,) = receiver.requests
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint.secret).verify(request["body"] + b" ", request["headers"])
    with pytest.raises(Exception, match="signature"):
        Webhook(WebhookEndpoint().secret).verify(request["body"], request["headers"])


def test_update_correction_and_unpublish(receiver, endpoint, editor, make_article):
    """Each change to a live story is one event, in order; unpublishing sends no content."""
    story = make_article(headline="Harbour reopens", body="<p>Secret-free body.</p>")
    deliver()
    story.headline = "Harbour reopens, traffic resumes"
    story.save()
    deliver()
    Correction.objects.create(article=story, text="The harbour is in Busan.")
    deliver()
    workflow.unpublish(Article.objects.filter(pk=story.pk), user=editor)
    deliver()
    payloads = receiver.payloads(endpoint.secret)
    assert [p["type"] for p in payloads] == [
        "article.published",
        "article.updated",
        "article.corrected",
        "article.unpublished",
    ]
    assert payloads[1]["data"]["article"]["headline"] == "Harbour reopens, traffic resumes"
    assert payloads[2]["data"]["correction"]["text"] == "The harbour is in Busan."
    assert payloads[2]["data"]["article"]["corrections"][0]["text"] == "The harbour is in Busan."
    gone = payloads[3]["data"]
    assert gone["id"] == story.pk and gone["slug"] == story.slug
    assert "article" not in gone and "Secret-free" not in receiver.requests[3]["body"].decode()


def test_drafts_and_review_send_nothing(receiver, endpoint, editor, make_article):
    story = make_article(status=Article.Status.DRAFT)
    story.headline = "Still a draft"
    story.save()
    workflow.submit_for_review(Article.objects.filter(pk=story.pk), user=editor)
    deliver()
    assert WebhookEvent.objects.count() == 0 and receiver.requests == []


def test_an_event_commits_with_its_change_or_not_at_all(receiver, endpoint, make_article):
    """The outbox row is written in the change's transaction."""
    story = make_article()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            story.headline = "Never saved"
            story.save()
            assert WebhookEvent.objects.filter(type=EventType.UPDATED).exists()
            raise RuntimeError("the save fails later on")
    assert not WebhookEvent.objects.filter(type=EventType.UPDATED).exists()


def test_several_saves_before_a_pass_make_one_update(receiver, endpoint, make_article):
    story = make_article()
    deliver()
    for headline in ("One", "Two", "Three"):
        story.headline = headline
        story.save()
    deliver()
    payloads = receiver.payloads(endpoint.secret)
    assert [p["type"] for p in payloads] == ["article.published", "article.updated"]
    assert payloads[1]["data"]["article"]["headline"] == "Three"


def test_scheduled_story_is_announced_when_it_goes_live(
    receiver, endpoint, editor, make_article, time_machine
):
    """No editor action at go-live: the next pass after the time sends it."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    story = make_article(status=Article.Status.DRAFT)
    when = now + dt.timedelta(minutes=30)
    workflow.schedule(Article.objects.filter(pk=story.pk), user=editor, when=when)
    deliver()
    assert receiver.requests == []
    time_machine.move_to(when - dt.timedelta(seconds=1), tick=False)
    deliver()
    assert receiver.requests == []
    time_machine.move_to(when + dt.timedelta(seconds=10), tick=False)
    deliver()
    (payload,) = receiver.payloads(endpoint.secret)
    assert payload["type"] == "article.published"
    assert dt.datetime.fromisoformat(payload["timestamp"]) == when.replace(microsecond=0)
    assert payload["data"]["article"]["slug"] == story.slug


def test_a_rescheduled_story_is_announced_once_at_its_new_time(
    receiver, endpoint, editor, make_article, time_machine
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    story = make_article(status=Article.Status.DRAFT)
    workflow.schedule(
        Article.objects.filter(pk=story.pk), user=editor, when=now + dt.timedelta(minutes=10)
    )
    story.refresh_from_db()
    story.published_at = now + dt.timedelta(minutes=20)
    story.save()
    time_machine.move_to(now + dt.timedelta(minutes=15), tick=False)
    deliver()
    assert receiver.requests == []
    time_machine.move_to(now + dt.timedelta(minutes=25), tick=False)
    deliver()
    assert types(receiver, endpoint) == ["article.published"]


def test_a_story_taken_back_before_its_time_is_never_announced(
    receiver, endpoint, editor, make_article, time_machine
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    story = make_article(status=Article.Status.DRAFT)
    workflow.schedule(
        Article.objects.filter(pk=story.pk), user=editor, when=now + dt.timedelta(minutes=10)
    )
    workflow.unpublish(Article.objects.filter(pk=story.pk), user=editor)
    time_machine.move_to(now + dt.timedelta(hours=1), tick=False)
    deliver()
    assert receiver.requests == []


def test_failures_are_retried_with_backoff(receiver, endpoint, make_article, time_machine):
    """A 500 is retried after the first delay, with the same webhook-id and a fresh signature."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    receiver.statuses = [500, 503]
    make_article()
    deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert (delivery.attempts, delivery.response_status) == (1, 500)
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=5)
    deliver()  # not due yet
    assert len(receiver.requests) == 1
    time_machine.move_to(now + dt.timedelta(seconds=6), tick=False)
    deliver()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_status) == (2, 503)
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=6 + 300)
    time_machine.move_to(now + dt.timedelta(seconds=400), tick=False)
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert [entry["status"] for entry in delivery.log] == [500, 503, 200]
    ids = {request["headers"]["webhook-id"] for request in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1
    signatures = {request["headers"]["webhook-signature"] for request in receiver.requests}
    assert len(signatures) == 3  # each attempt is signed with its own timestamp
    last = receiver.requests[-1]
    assert Webhook(endpoint.secret).verify(last["body"], last["headers"])["type"] == (
        "article.published"
    )


def test_a_delivery_is_given_up_after_the_last_retry(
    receiver, endpoint, make_article, settings, time_machine
):
    settings.WEBHOOKS_RETRY_DELAYS = [1, 1]
    receiver.statuses = [500] * 10
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    make_article()
    for second in range(0, 8, 2):
        time_machine.move_to(now + dt.timedelta(seconds=second), tick=False)
        deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 3 and len(receiver.requests) == 3
    assert delivery.error == "HTTP 500 Internal Server Error"


def test_an_endpoint_that_does_not_answer_is_retried(settings, make_article):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens there any more
    WebhookEndpoint.objects.create(url=url)
    make_article()
    deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery.response_status is None and "ConnectionRefused" in delivery.error


def test_endpoints_get_only_their_events_and_paused_ones_wait(receiver, make_article):
    corrections_only = WebhookEndpoint.objects.create(
        url=receiver.url, events=[EventType.CORRECTED]
    )
    paused = WebhookEndpoint.objects.create(url=receiver.url, is_active=False)
    story = make_article()
    Correction.objects.create(article=story, text="A fix.")
    deliver()
    assert types(receiver, corrections_only) == ["article.corrected"]
    assert WebhookDelivery.objects.filter(endpoint=paused).count() == 0


def test_deleting_a_live_story_unpublishes_it(receiver, endpoint, make_article):
    story = make_article()
    deliver()
    pk = story.pk
    story.delete()
    deliver()
    payloads = receiver.payloads(endpoint.secret)
    assert [p["type"] for p in payloads] == ["article.published", "article.unpublished"]
    assert payloads[1]["data"]["id"] == pk


def test_an_event_whose_story_went_away_is_cancelled(receiver, endpoint, make_article):
    """A story unpublished before the pass: its content is never sent."""
    story = make_article(body="<p>Legal took this down.</p>")
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    deliver()
    assert b"Legal took" not in b"".join(r["body"] for r in receiver.requests)
    event = WebhookEvent.objects.get(type=EventType.PUBLISHED)
    assert event.state == WebhookEvent.State.CANCELLED


# --- Server-side request forgery ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/",
        "ftp://example.org/hook",
        "http://no-such-host.invalid/hook",
    ],
)
def test_private_and_loopback_endpoints_are_refused(db, url):
    """By default an endpoint must be a public http(s) address."""
    with pytest.raises(ValidationError) as refused:
        WebhookEndpoint(url=url).full_clean()
    assert "url" in refused.value.message_dict


def test_a_private_endpoint_is_not_called_even_if_stored(make_article):
    """An endpoint saved without validation (or whose name now resolves privately) is refused
    at delivery time too, and the log says why."""
    server = Receiver()
    try:
        WebhookEndpoint.objects.create(url=server.url)
        make_article()
        run_once()
        assert server.requests == []
        assert "private" in WebhookDelivery.objects.get().error
    finally:
        server.close()


# --- The admin ------------------------------------------------------------------------------


def test_editors_manage_endpoints_in_the_admin(client, editor, receiver, settings):
    client.force_login(editor)
    response = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "url": receiver.url,
            "description": "Partner app",
            "events": [EventType.PUBLISHED],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == [EventType.PUBLISHED] and endpoint.secret.startswith("whsec_")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    refused = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"url": "http://127.0.0.1/", "events": [EventType.PUBLISHED], "is_active": "on"},
    )
    assert refused.status_code == 200
    assert "private, loopback or reserved" in refused.content.decode()
    assert client.get("/admin/webhooks/webhookdelivery/").status_code == 200


def test_the_delivery_log_and_retry_now(client, editor, receiver, endpoint, make_article):
    receiver.statuses = [500]
    make_article()
    deliver()
    delivery = WebhookDelivery.objects.get()
    client.force_login(editor)
    page = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "HTTP 500" in page and "try later" in page
    client.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 2
    event_page = client.get(f"/admin/webhooks/webhookevent/{delivery.event_id}/change/")
    assert event_page.status_code == 200 and "article.published" in event_page.content.decode()
    assert json.loads(delivery.event.body)["type"] == "article.published"


# --- The delivery process -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_running_process_announces_a_scheduled_story_by_itself(
    receiver, endpoint, make_article
):
    """``deliver_webhooks`` as a service, in its own process: a story scheduled two seconds
    ahead is sent soon after its time with nobody doing anything, and SIGTERM stops it cleanly.
    It needs a database that another process can open (PostgreSQL, or a SQLite file)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database[key] or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        )
    elif database["NAME"] and "memory" not in str(database["NAME"]):
        url = f"sqlite:///{database['NAME']}"
    else:
        pytest.skip("the test database is in memory, private to this process")
    story = make_article(published_at=timezone.now() + dt.timedelta(seconds=2))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_webhooks", "--interval", "0.5"],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_URL": url, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Stopped." in output
    (payload,) = receiver.payloads(endpoint.secret)
    assert payload["type"] == "article.published"
    assert payload["data"]["slug"] == story.slug


def test_imported_stories_are_announced_like_saved_ones(tmp_path):
    """The importer writes in bulk, with no model signals: its batches record the same events
    as an editor's save, in their transaction, with a few queries however many stories."""
    paths = write_pages(tmp_path, 6, seed=5)

    def run(*options):
        with CaptureQueriesContext(connection) as captured:
            call_command("import_articles", *options, *paths, stdout=io.StringIO())
        return sum("webhooks_webhookevent" in query["sql"] for query in captured)

    def events(event_type):
        return WebhookEvent.objects.filter(type=event_type).order_by("article_id")

    run("--status", "published")
    stories = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    assert len(stories) == 6
    assert [e.article_id for e in events(EventType.PUBLISHED)] == stories
    assert run("--status", "published") <= 2  # the waiting updates looked up, then one insert
    run("--status", "published")  # an update still waiting is enough
    assert [e.article_id for e in events(EventType.UPDATED)] == stories
    run("--dry-run", "--status", "draft")
    assert not events(EventType.UNPUBLISHED).exists()
    run("--status", "draft")
    taken_down = events(EventType.UNPUBLISHED)
    assert [e.article_id for e in taken_down] == stories
    assert all(e.details["headline"] and e.details["slug"] for e in taken_down)
    go_live = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    run("--status", "published", "--published-at", go_live.isoformat())
    scheduled = events(EventType.PUBLISHED).filter(due_at=go_live)
    assert [e.article_id for e in scheduled] == stories
    assert WebhookEvent.objects.count() == 4 * 6
