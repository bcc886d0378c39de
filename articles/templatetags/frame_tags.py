from django import template

from articles.frame import breaking_news_html, navigation_html

register = template.Library()


@register.simple_tag(takes_context=True)
def site_navigation(context):
    """The header's sections, the page's own marked."""
    # An error page rendered without a request (the database may be down) prints none.
    if context.get("request") is None:
        return ""
    return navigation_html(context.get("current_section_slug") or "")


@register.simple_tag
def breaking_news():
    """The live breaking-news banner, if any."""
    return breaking_news_html()
