from django import template

from articles.fronts.banner import live_banner
from articles.fronts.freshness import page_shows_banner

register = template.Library()


@register.inclusion_tag("includes/_breaking_news.html")
def breaking_news():
    """The live breaking-news banner, if any; the page is refreshed when one starts or ends."""
    page_shows_banner()
    return {"banner": live_banner()}
