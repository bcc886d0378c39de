"""The desk's screens for fronts and the breaking-news banner.

A front lists its zones; each zone opens on its slots, where the editor pins stories by
dragging the rows or typing slot numbers, and sees what readers get in every slot now.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles.forms import DeskModelForm
from articles.fronts.layout import arrange
from articles.fronts.models import BreakingNews, Front, Pin, Zone
from articles.models import Article

SORTABLE_JS = "articles/admin/sortable.js"
ADMIN_CSS = {"all": ["articles/admin/admin.css"]}


class _PlainSelects:
    """Inline rows stay on one line: no edit/add/view buttons beside their selects."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield


class ZoneInline(_PlainSelects, admin.TabularInline):
    form = DeskModelForm
    model = Zone
    fields = ("position", "name", "layout", "size", "fill_section", "stories")
    readonly_fields = ("stories",)
    extra = 0
    classes = ("nr-sortable",)

    class Media:
        js = [SORTABLE_JS]

    @admin.display(description="Stories")
    def stories(self, zone):
        if zone.pk is None:
            return "Save, then pin stories"
        url = reverse("admin:articles_zone_change", args=[zone.pk])
        pinned = len(zone.pins.all())
        return format_html('<a href="{}">Pin stories ({} pinned)</a>', url, pinned)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("pins")


@admin.register(Front)
class FrontAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("name", "page", "state_badge", "live_from", "updated_at", "updated_by")
    list_select_related = ("section", "updated_by")
    list_filter = ("section", "live_from")
    search_fields = ("name",)
    fields = ("section", "name", "live_from")
    inlines = (ZoneInline,)
    actions = ("go_live_now", "copy_as_draft")
    save_on_top = True

    class Media:
        css = ADMIN_CSS

    @admin.display(description="Page", ordering="section__name")
    def page(self, front):
        return format_html('<a href="{}" target="_blank">{}</a>', front.page_url(), front.page_name)

    @admin.display(description="State", ordering="live_from")
    def state_badge(self, front):
        labels = {"draft": "Draft", "scheduled": "Scheduled", "live": "Live"}
        css = {"draft": "draft", "scheduled": "scheduled", "live": "published"}[front.state]
        label = labels[front.state]
        return format_html('<span class="nr-state nr-state--{}">{}</span>', css, label)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("name", f"Front of {timezone.localdate():%d %B %Y}")
        return initial

    @admin.action(description="Go live now", permissions=["change"])
    def go_live_now(self, request, queryset):
        now = timezone.now()
        fronts = list(queryset)
        for front in fronts:
            front.live_from, front.updated_by = now, request.user
            front.save()
        self.message_user(request, f"{len(fronts)} front(s) now live.", messages.SUCCESS)

    @admin.action(description="Copy as a new draft front", permissions=["add"])
    def copy_as_draft(self, request, queryset):
        for front in queryset:
            front.copy(name=f"Copy of {front.name}"[:120], user=request.user)
        self.message_user(
            request,
            "Copied. Set a time under “Goes live” on the copy to schedule it.",
            messages.SUCCESS,
        )


class PinInline(_PlainSelects, admin.TabularInline):
    form = DeskModelForm
    model = Pin
    fields = ("slot", "article")
    autocomplete_fields = ("article",)
    extra = 1
    classes = ("nr-sortable",)
    verbose_name = "pinned story"
    verbose_name_plural = "Pinned stories: drag the rows to reorder, or type slot numbers"

    class Media:
        js = [SORTABLE_JS]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    form = DeskModelForm
    fields = ("front", "name", "layout", "size", "fill_section", "position", "now_on_the_page")
    readonly_fields = ("now_on_the_page",)
    list_display = ("name", "front", "layout", "size")
    list_select_related = ("front__section",)
    inlines = (PinInline,)
    save_on_top = True

    class Media:
        css = ADMIN_CSS

    def has_module_permission(self, request):
        return False  # reached from its front, not from the index

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "front"] if obj is not None else fields

    @admin.display(description="What readers get")
    def now_on_the_page(self, zone):
        """Each slot as the page fills it now (as if this front were live)."""
        if zone.pk is None:
            return "Save the zone to see it filled."
        front = zone.front
        stories = list(
            Article.objects.published()
            .for_listing()
            .filter(**({"section": front.section} if front.section_id else {}))[:20]
        )
        page = arrange(front, section=front.section, stories=stories)
        filled = next((item for item in page.zones if item.zone.pk == zone.pk), None)
        if filled is None:
            return "No live story to show yet."
        rows = []
        for slot in filled.slots:
            if slot.pinned:
                how = "pinned"
            elif slot.passed_over is not None:
                how = f"automatic: the pinned “{slot.passed_over.headline}” is not live"
            else:
                how = "automatic: newest"
            rows.append((slot.number, slot.article.headline, how))
        return format_html(
            '<ol class="nr-front-preview">{}</ol>',
            format_html_join("", '<li value="{}"><strong>{}</strong> <em>({})</em></li>', rows),
        )


@admin.register(BreakingNews)
class BreakingNewsAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("text", "is_live_now", "starts_at", "ends_at", "created_by")
    list_select_related = ("created_by",)
    fields = ("text", "link", "starts_at", "ends_at")
    search_fields = ("text",)
    actions = ("end_now",)

    @admin.display(description="Live now", boolean=True)
    def is_live_now(self, banner):
        return banner.is_live()

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Take down now", permissions=["change"])
    def end_now(self, request, queryset):
        now = timezone.now()
        ended = 0
        for banner in queryset:
            if banner.is_live(now):
                banner.ends_at = now
                banner.save()
                ended += 1
        self.message_user(request, f"{ended} banner(s) taken down.", messages.SUCCESS)
