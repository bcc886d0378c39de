"""Partners' webhook endpoints, the outbox of events about stories, and each delivery's log.

An event row is written in the same transaction as the change it reports (webhooks/outbox.py),
so a change that commits always has its event and one rolled back never does. The delivery
process (``manage.py deliver_webhooks``) turns due events into one delivery per subscribed
endpoint and sends them, signed, retrying with backoff (webhooks/delivery.py).
"""

import base64
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webhooks.addresses import UnsafeAddress, check_url

SECRET_PREFIX = "whsec_"


class EventType(models.TextChoices):
    PUBLISHED = "article.published", "A story is published (or goes live at its scheduled time)"
    UPDATED = "article.updated", "A published story is changed"
    CORRECTED = "article.corrected", "A correction is appended to a published story"
    UNPUBLISHED = "article.unpublished", "A published story is taken off the site"


def all_event_types() -> list[str]:
    return list(EventType.values)


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    url = models.URLField(
        "URL",
        max_length=500,
        help_text="Where events are POSTed, e.g. https://partner.example/hooks/newsroom. "
        "Addresses on private or loopback networks are refused.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="Who this is for, e.g. the partner's name."
    )
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text="Give this to the partner: they check every delivery's signature with it.",
    )
    events = models.JSONField(
        default=all_event_types, help_text="The events sent to this endpoint."
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to pause: nothing is sent meanwhile; deliveries already waiting go "
        "out once it is on again.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.description or self.url

    def clean(self):
        unknown = set(self.events or ()) - set(EventType.values)
        if unknown or not self.events:
            raise ValidationError({"events": "Choose at least one of the listed events."})
        try:
            check_url(self.url)
        except UnsafeAddress as error:
            raise ValidationError({"url": str(error)}) from error

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in (self.events or ())


class WebhookEvent(models.Model):
    """One change to report (the outbox). Its body is fixed when it is dispatched, so every
    endpoint and every retry receives the same bytes under the same ``webhook-id``."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        DISPATCHED = "dispatched", "Dispatched"
        CANCELLED = "cancelled", "Cancelled"

    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    type = models.CharField(max_length=40, choices=EventType.choices)
    # Not a foreign key on purpose: the event outlives a deleted story, and a change to the
    # outbox is no change to the story's pages (the page cache refreshes a story when any row
    # pointing at it is saved).
    article_id = models.BigIntegerField(db_index=True)
    details = models.JSONField(
        default=dict, blank=True, help_text="What only the change knows (a correction's text)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    due_at = models.DateTimeField(
        default=timezone.now, help_text="When it happens: now, or a scheduled story's go-live."
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    body = models.TextField(blank=True, help_text="The JSON sent, fixed at dispatch.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = "webhook event"
        indexes = [
            models.Index(
                fields=["due_at", "id"], condition=Q(state="waiting"), name="webhookevent_waiting"
            ),
        ]

    def __str__(self):
        return f"{self.type} #{self.article_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (gave up)"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Every attempt: {"at", "status", "error", "ms", "response"} (the response cut short).
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="webhookdelivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.event} to {self.endpoint}"
