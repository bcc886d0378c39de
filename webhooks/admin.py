"""The webhooks in the admin: endpoints (editors manage them), and the log of events and
deliveries (read-only, with "Retry now")."""

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.forms import DeskModelForm
from webhooks.delivery import retry_now
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent, new_secret


class WebhookEndpointForm(DeskModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events sent to this endpoint.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("__str__", "url", "is_active", "event_list", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    readonly_fields = ("secret", "created_at")
    actions = ["rotate_secret"]

    @admin.display(description="events")
    def event_list(self, endpoint):
        return ", ".join(endpoint.events or ())

    @admin.action(description="Give the selected endpoints a new secret", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret"])
        messages.success(
            request,
            f"{queryset.count()} endpoint(s) have a new secret; give it to the partner now: "
            "the next deliveries are signed with it.",
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log is written by the delivery process alone."""

    form = DeskModelForm

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("type", "article_link", "due_at", "state", "dispatched_at", "delivery_count")
    list_filter = ("type", "state")
    search_fields = ("message_id", "=article_id")
    date_hierarchy = "due_at"
    fields = (
        "message_id",
        "type",
        "article_link",
        "due_at",
        "state",
        "dispatched_at",
        "note",
        "pretty_body",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.display(description="story")
    def article_link(self, event):
        url = reverse("admin:articles_article_change", args=[event.article_id])
        label = event.details.get("headline") or f"#{event.article_id}"
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="deliveries")
    def delivery_count(self, event):
        return len(event.deliveries.all())

    @admin.display(description="body sent")
    def pretty_body(self, event):
        if not event.body:
            return "-"
        return format_html(
            "<pre>{}</pre>", json.dumps(json.loads(event.body), indent=2, ensure_ascii=False)
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "endpoint", "event__type")
    list_select_related = ("event", "endpoint")
    search_fields = ("event__message_id", "endpoint__url")
    fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "error",
        "last_attempt_at",
        "next_attempt_at",
        "attempt_log",
    )
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="attempts")
    def attempt_log(self, delivery):
        return format_html(
            "<table><tr><th>at</th><th>status</th><th>ms</th><th>error</th><th>response</th>"
            "</tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (a["at"], a["status"] or "-", a["ms"], a["error"] or "-", a["response"] or "-")
                    for a in delivery.log
                ),
            ),
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("webhooks.change_webhookendpoint")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry(self, request, queryset):
        count = retry_now(queryset)
        messages.success(request, f"{count} deliveries will be sent at the next pass.")
