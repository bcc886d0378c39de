"""sitemap.xml (an index of the sitemaps below) and the Google News sitemap.

Every list starts from ``Article.objects.published()``: no draft, review or scheduled story is
ever announced, nor a section, author or tag that has no live story. Every URL is on the site's
origin (``SITE_URL``), whatever host the crawler asked.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.db.models import Max, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from articles import metadata
from articles.models import Article, Section
from articles.text import SLUG_PATTERN


class SiteSitemap(Sitemap):
    """A sitemap whose URLs are on SITE_URL rather than on the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs from one news sitemap


class ArticleSitemap(SiteSitemap):
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
                "lead_image__licence_ends_on",
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
        for url in urls:
            credit = url["item"].lead_photo
            if credit is not None and credit.image:
                url["image"] = {
                    # Storage URLs may already be absolute (a bucket or CDN).
                    "location": metadata.absolute(credit.image.url),
                    "caption": credit.alt_text or credit.caption,
                }
        return urls


class HomeSitemap(SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return (
            Section.objects.filter(articles__in=Article.objects.published())
            .annotate(latest=Max("articles__published_at"))
            .order_by("position", "name")
        )

    def lastmod(self, item):
        return item.latest


def newest_story(**match):
    """When the newest live story matching ``match`` (an OuterRef) went live: one subquery."""
    newest = Article.objects.published().filter(**match).order_by("-published_at")
    return Subquery(newest.values("published_at")[:1])


class AuthorSitemap(SiteSitemap):
    def items(self):
        authors = Article.objects.published().bylined_authors()
        return authors.annotate(latest=newest_story(authors=OuterRef("pk"))).order_by("slug")

    def lastmod(self, item):
        # An author's page changes when one of their stories goes live.
        return item.latest


class TagSitemap(SiteSitemap):
    def items(self):
        # A tag stored without a usable slug has no page to announce (articles/tags.py).
        tags = Article.objects.published().used_tags()
        tags = tags.filter(slug__regex=rf"^{SLUG_PATTERN}$")
        return tags.annotate(latest=newest_story(tags=OuterRef("pk"))).order_by("slug")

    def lastmod(self, item):
        return item.latest

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class NewsSitemap(SiteSitemap):
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


@require_safe
@x_robots_tag
def sitemap_index(request, *, sitemaps, sitemap_url_name, template_name, content_type):
    """sitemap.xml: each sitemap's address on SITE_URL, with its latest change.

    Django's own index view puts the request's host in every address.
    """
    entries = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        location = metadata.absolute(reverse(sitemap_url_name, kwargs={"section": section}))
        last_mod = sitemap.get_latest_lastmod()
        entries.append({"location": location, "last_mod": last_mod})
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append({"location": f"{location}?p={page}", "last_mod": last_mod})
    known = [entry["last_mod"] for entry in entries if entry["last_mod"] is not None]
    # Lets crawlers (and the page cache) answer If-Modified-Since with 304.
    headers = {"Last-Modified": http_date(max(known).timestamp())} if known else None
    return TemplateResponse(
        request, template_name, {"sitemaps": entries}, content_type=content_type, headers=headers
    )
