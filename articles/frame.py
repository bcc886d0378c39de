"""What every reader page prints around its story or list: the header's sections and the
breaking-news banner, each rendered once and shared by every page until what it shows changes
(``articles.caching.shared_fragment``)."""

from django.template.loader import render_to_string

from articles.caching import SECTIONS, navigation_sections, shared_fragment
from articles.fronts.banner import banner_schedule, live_banner
from articles.fronts.freshness import BANNER, page_shows_banner


def navigation_html(current_section_slug: str = "") -> str:
    """The header's section links, ``current_section_slug``'s marked as the current page.

    Kept once per marked section until a section is saved or deleted.
    """
    return shared_fragment(
        f"navigation:{current_section_slug}",
        [SECTIONS],
        lambda: render_to_string(
            "includes/_site_nav.html",
            {"sections": navigation_sections(), "current_section_slug": current_section_slug},
        ),
    )


def breaking_news_html() -> str:
    """The live banner ("" when none), kept until a banner is edited or the next moment one
    goes up or comes down. The page printing it is refreshed at those moments too."""
    page_shows_banner()
    return shared_fragment(
        "breaking-news",
        [BANNER],
        lambda: render_to_string("includes/_breaking_news.html", {"banner": live_banner()}),
        until=banner_schedule,
    )
