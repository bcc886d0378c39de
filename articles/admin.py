from django.contrib import admin
from django.db.models import Count

from articles.models import (
    Article,
    Author,
    Byline,
    ImageCredit,
    ImageSource,
    RelatedStory,
    Section,
)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "user")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "email")
    autocomplete_fields = ("user",)


@admin.register(ImageSource)
class ImageSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "credit_count")
    list_filter = ("kind",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(credit_count=Count("credits"))

    @admin.display(description="Images credited", ordering="credit_count")
    def credit_count(self, source):
        return source.credit_count


@admin.register(ImageCredit)
class ImageCreditAdmin(admin.ModelAdmin):
    list_display = ("__str__", "place", "credit_line", "width", "height")
    list_filter = ("sources",)
    search_fields = ("caption", "place", "credit_line", "sources__name")
    filter_horizontal = ("sources",)
    readonly_fields = ("width", "height")


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    min_num = 1
    autocomplete_fields = ("author",)
    verbose_name = "byline author"


class RelatedStoryInline(admin.TabularInline):
    model = RelatedStory
    fk_name = "article"
    extra = 0
    autocomplete_fields = ("target",)
    fields = ("rail", "position", "target", "headline", "section_label")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("headline", "section", "status", "published_at", "view_count")
    list_filter = ("status", "section")
    list_select_related = ("section",)
    search_fields = ("headline", "dek", "body", "authors__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("lead_image",)
    inlines = (BylineInline, RelatedStoryInline)
    readonly_fields = ("view_count", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("headline", "slug", "dek", "body")}),
        ("Placement", {"fields": ("section", "tags", "lead_image", "editors_pick")}),
        ("Publishing", {"fields": ("status", "published_at")}),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("source_url", "view_count", "created_at", "updated_at"),
            },
        ),
    )
