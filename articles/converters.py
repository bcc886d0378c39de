"""URL converters for the reader's site."""

from articles.text import SLUG_PATTERN


class UnicodeSlugConverter:
    """Like Django's `slug` converter, but for slugs in any script (see `articles.text`)."""

    regex = SLUG_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
