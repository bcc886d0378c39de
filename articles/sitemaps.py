"""sitemap.xml (an index of the sitemaps below) and the Google News sitemap.

Every list starts from ``Article.objects.published()``: no draft, review or scheduled story is
ever announced, nor a section, author or tag that has no live story.
"""

import datetime as dt

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section

NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs from one news sitemap


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .select_related("lead_image")
            .only(
                "slug",
                "headline",
                "published_at",
                "updated_at",
                "lead_image__image",
                "lead_image__alt_text",
                "lead_image__caption",
            )
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.last_modified

    def get_latest_lastmod(self):
        # One aggregate, not a walk over every article, for the index's <lastmod>.
        latest = Article.objects.published().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        return max(filter(None, latest.values()), default=None)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            credit = url["item"].lead_image
            if credit is not None and credit.image:
                url["image"] = {
                    "location": origin + credit.image.url,
                    "caption": credit.alt_text or credit.caption,
                }
        return urls


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return (
            Section.objects.filter(articles__in=Article.objects.published())
            .annotate(latest=Max("articles__published_at"))
            .order_by("position", "name")
        )

    def lastmod(self, item):
        return item.latest


class AuthorSitemap(Sitemap):
    def items(self):
        return Article.objects.published().bylined_authors().order_by("slug")


class TagSitemap(Sitemap):
    def items(self):
        return Article.objects.published().used_tags().order_by("slug")

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class NewsSitemap(Sitemap):
    """The stories published in the last two days, in Google News' format."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.last_modified

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["publication_name"] = settings.NEWSROOM_SITE_NAME
            url["publication_language"] = "en"
        return urls


SITEMAPS = {
    "home": HomeSitemap,
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}
