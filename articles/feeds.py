"""RSS 2.0 and Atom feeds of the latest stories: the whole site, a section, an author, a tag.

Each entry has the headline, link, publish and update dates, summary, every byline author
(RSS: one ``dc:creator`` each; Atom: one ``author`` each, with the author's page), the section
and tags as categories, and the lead photo as an enclosure (plus ``media:content`` with its
caption and credit in RSS).
"""

import copy
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from articles import metadata
from articles.caching import depends_on
from articles.models import Article, Author, Section
from articles.text import strip_control_characters

FEED_SIZE = 30
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"


def xml_safe(value):
    """``value`` with no control character in any string: XML 1.0 cannot carry them.

    They should never be stored (they are stripped where text enters), but a feed must stay
    well-formed whatever a row holds, instead of failing for every reader.
    """
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(item) for item in value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    return value


class XmlSafeFeedMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*xml_safe(args), **xml_safe(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_safe(args), **xml_safe(kwargs))


class NewsRssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    """RSS 2.0 with every byline author as dc:creator and the lead photo as media:content."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NS, "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["bylines"]:
            handler.addQuickElement("dc:creator", name)
        image = item["image"]
        if image:
            attrs = {"url": image["url"], "medium": "image", "type": image["type"]}
            if image["width"]:
                attrs.update(width=str(image["width"]), height=str(image["height"]))
            handler.startElement("media:content", attrs)
            if image["caption"]:
                handler.addQuickElement("media:description", image["caption"], {"type": "plain"})
            if image["credit"]:
                handler.addQuickElement("media:credit", image["credit"])
            handler.endElement("media:content")


class NewsAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    """Atom with one author element, name and page, for each byline author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")


class ArticleFeed(Feed):
    """The newest published stories, newest first; subclasses narrow the list."""

    feed_type = NewsRssFeed
    language = "en"

    def __call__(self, request, *args, **kwargs):
        # The feed object is shared by every request: work on a copy that knows this request.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def absolute(self, path: str) -> str:
        return metadata.absolute(path)

    @property
    def site_name(self) -> str:
        return settings.NEWSROOM_SITE_NAME

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        items = list(self.articles(obj).for_listing()[:FEED_SIZE])
        self.tags = Article.objects.filter(pk__in=[item.pk for item in items]).tags_by_article()
        # A cached feed is refreshed when any story, author, tag or photo in it changes.
        depends_on(items, list(self.tags.values()))
        return items

    def title(self, obj):
        return self.site_name

    # Absolute on SITE_URL: Django's feeds would otherwise put the request's host and scheme
    # in every link and Atom id, giving one story as many ids as it has host names.
    def link(self, obj):
        return self.absolute(self.page(obj))

    def page(self, obj):
        return reverse("articles:home")

    def feed_url(self, obj):
        return self.absolute(self.request.path)

    def item_link(self, item):
        return self.absolute(item.get_absolute_url())

    def description(self, obj):
        return f"The latest stories from {self.site_name}."

    def subtitle(self, obj):
        return self.description(obj)

    def author_name(self, obj):
        # An Atom entry without an author takes the feed's.
        return self.site_name

    def item_title(self, item):
        # Plain text, escaped once by the XML writer. (Django's default escapes it a second time,
        # which feed readers then show as "&amp;".)
        return item.headline

    def item_description(self, item):
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.last_modified

    def item_categories(self, item):
        section = [item.section.name] if item.section_id else []
        return section + [tag.name for tag in self.tags.get(item.pk, ())]

    def item_enclosures(self, item):
        image = self.lead_image(item)
        if not image:
            return []
        return [Enclosure(image["url"], str(image["length"]), image["type"])]

    def item_extra_kwargs(self, item):
        return {
            "bylines": [
                (author.name, self.absolute(author.get_absolute_url()))
                for author in item.authors.all()
            ],
            "image": self.lead_image(item),
        }

    def lead_image(self, item):
        credit = item.lead_photo
        if credit is None or not credit.image:
            return None
        try:
            length = credit.image.size
        except OSError:  # the file is missing from storage: announce it without a size
            length = 0
        return {
            "url": self.absolute(credit.image.url),
            "type": mimetypes.guess_type(credit.image.name)[0] or "image/jpeg",
            "length": length,
            "width": credit.width,
            "height": credit.height,
            "caption": credit.caption or credit.alt_text,
            "credit": credit.printed_credit,
        }


class AtomFeedMixin:
    feed_type = NewsAtomFeed


class LatestArticlesFeed(ArticleFeed):
    pass


class LatestArticlesAtomFeed(AtomFeedMixin, LatestArticlesFeed):
    pass


class SectionArticlesFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def articles(self, obj):
        return Article.objects.published().in_section(obj)

    def title(self, obj):
        return f"{obj.name} · {self.site_name}"

    def page(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"The latest {obj.name} stories from {self.site_name}."


class SectionArticlesAtomFeed(AtomFeedMixin, SectionArticlesFeed):
    pass


class AuthorArticlesFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def articles(self, obj):
        return Article.objects.published().filter(authors=obj)

    def title(self, obj):
        return f"{obj.name} · {self.site_name}"

    def page(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The latest stories by {obj.name} for {self.site_name}."


class AuthorArticlesAtomFeed(AtomFeedMixin, AuthorArticlesFeed):
    pass


class TagArticlesFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)

    def title(self, obj):
        return f"{obj.name} · {self.site_name}"

    def page(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})

    def description(self, obj):
        return f"The latest stories tagged {obj.name} from {self.site_name}."


class TagArticlesAtomFeed(AtomFeedMixin, TagArticlesFeed):
    pass
