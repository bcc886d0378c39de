"""Sending the outbox: due events become deliveries, deliveries are POSTed, failures retried.

Run by ``manage.py deliver_webhooks`` (once, or in a loop), never inside an editor's request.
Several processes may run at once on PostgreSQL: each claims its rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` and a short lease, so no delivery is sent twice at the
same time, and one whose process died is sent again when its lease runs out (at least once).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks import signing, transport
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.payloads import event_body

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
LOG_LENGTH = 20  # attempts kept in a delivery's log


@dataclass
class PassReport:
    dispatched: int = 0
    cancelled: int = 0
    succeeded: int = 0
    retrying: int = 0
    failed: int = 0


def run_once(now: dt.datetime | None = None) -> PassReport:
    """Dispatch every due event, then send every due delivery."""
    now = now or timezone.now()
    report = PassReport()
    while dispatch_due_events(report, now=now):
        pass
    while send_due_deliveries(report, now=now):
        pass
    return report


def dispatch_due_events(report: PassReport, *, now: dt.datetime) -> int:
    """Fix the body of up to a batch of due events and make their deliveries; how many."""
    with transaction.atomic():
        events = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(state=WebhookEvent.State.WAITING, due_at__lte=now)
            .order_by("due_at", "pk")[:BATCH_SIZE]
        )
        if not events:
            return 0
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        deliveries = []
        for event in events:
            event.body = event_body(event) or ""
            event.dispatched_at = now
            if not event.body:
                event.state = WebhookEvent.State.CANCELLED
                event.note = "The story is no longer published; nothing was sent."
                report.cancelled += 1
                continue
            event.state = WebhookEvent.State.DISPATCHED
            report.dispatched += 1
            deliveries += [
                WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=event.dispatched_at)
                for endpoint in endpoints
                if endpoint.wants(event.type)
            ]
        WebhookEvent.objects.bulk_update(events, ["body", "dispatched_at", "state", "note"])
        WebhookDelivery.objects.bulk_create(deliveries)
    return len(events)


def send_due_deliveries(report: PassReport, *, now: dt.datetime) -> int:
    """Claim and send up to a batch of due deliveries; how many were sent."""
    lease = dt.timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 2 + 30)
    with transaction.atomic():
        claimed = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
            )
            .select_related("event", "endpoint")
            .order_by("next_attempt_at", "pk")[:BATCH_SIZE]
        )
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            next_attempt_at=now + lease
        )
    for delivery in claimed:
        attempt(delivery)
        if delivery.status == WebhookDelivery.Status.SUCCEEDED:
            report.succeeded += 1
        elif delivery.status == WebhookDelivery.Status.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    return len(claimed)


def attempt(delivery: WebhookDelivery) -> None:
    """POST the delivery once, signed now, and record what happened and what comes next."""
    event, endpoint = delivery.event, delivery.endpoint
    timestamp = int(time.time())
    headers = signing.signed_headers(endpoint.secret, event.message_id, timestamp, event.body)
    outcome = transport.post(
        endpoint.url,
        event.body.encode(),
        headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    delivery.error = outcome.error
    delivery.log = [
        *delivery.log,
        {
            "at": now.isoformat(),
            "status": outcome.status,
            "error": outcome.error,
            "ms": outcome.milliseconds,
            "response": outcome.response[:300],
        },
    ][-LOG_LENGTH:]
    delays = settings.WEBHOOKS_RETRY_DELAYS
    if outcome.ok:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
    elif delivery.attempts > len(delays):
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.warning(
            "Webhook %s to %s given up: %s", event.message_id, endpoint.url, outcome.error
        )
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=delays[delivery.attempts - 1])
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "response_status",
            "error",
            "log",
            "status",
            "next_attempt_at",
        ]
    )


def retry_now(deliveries) -> int:
    """Send these deliveries again at the next pass, whatever happened before (the admin)."""
    return deliveries.update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now())
