"""The one place that decides which HTML may reach a reader.

Article bodies come from scraped pages and from editors; both pass through here on every save,
so script, style, event attributes and ``javascript:`` URLs never get stored. A body written
without ``save()`` (``loaddata``, a raw ``UPDATE``) is cleaned again as it is printed
(the ``sanitized`` template filter), so nothing depends on how a row got there.
"""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "a",
    "em",
    "strong",
    "i",
    "b",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "q",
    "cite",
    "h2",
    "h3",
    "h4",
    "hr",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Every allowed attribute that holds a URL. nh3 checks the scheme of links only; a quote's
# cite="javascript:..." would otherwise be kept.
URL_ATTRIBUTES = {"href", "cite", "src"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def _url_allowed(value: str) -> bool:
    """A relative URL, or one of an allowed scheme (ignoring the spaces and controls that
    browsers ignore, as in "java\tscript:")."""
    scheme = _SCHEME.match(_INVISIBLE.sub("", value).lower())
    return scheme is None or scheme.group(1) in ALLOWED_URL_SCHEMES


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES and not _url_allowed(value):
        return None
    return value


def sanitize_body(markup: str) -> str:
    """Return ``markup`` reduced to the allowed tags, attributes and URL schemes."""
    if not markup:
        return ""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    ).strip()


def paragraphs_to_html(paragraphs: list[str] | tuple[str, ...]) -> str:
    """Plain-text paragraphs, as scraped, to escaped ``<p>`` markup."""
    return "\n".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs)


_BLOCK_END = re.compile(r"(</(?:p|li|h\d|blockquote|pre)>|<br\s*/?>|<hr\s*/?>)", re.IGNORECASE)


def to_plain_text(markup: str) -> str:
    """Stored body HTML as the plain text a reader sees: tags gone, entities decoded.

    Block ends become spaces, so the last word of a paragraph never runs into the next one.
    """
    # nh3 with no tags allowed keeps only the text, escaped: several times faster than Django's
    # strip_tags, which matters in search excerpts and the SQLite index's trigger.
    text = html.unescape(nh3.clean(_BLOCK_END.sub(r"\1 ", markup or ""), tags=set()))
    return " ".join(text.split())
