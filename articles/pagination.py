"""Pages of article cards that cost the same on page 1 of ten stories or of a whole archive.

The count is bounded: at most ``LOOKAHEAD_PAGES`` pages past the one asked for are counted
(``COUNT`` over a ``LIMIT``), so a list of 10,000 stories or a search matching most of them is
never counted whole. ``more`` says that the list goes on past the counted pages.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from articles.models import Article

# Enough for every page link a reader or a crawler follows from where it is.
LOOKAHEAD_PAGES = 50
MAX_PAGE = 1_000_000


class ArticlePaginator(Paginator):
    asked = 1

    def validate_number(self, number):
        try:
            # Bounded so that the LIMIT stays a number every database takes (?page=999...9).
            self.asked = min(max(1, int(number)), MAX_PAGE)
        except (TypeError, ValueError):
            pass  # the parent's validation gives the error
        return super().validate_number(number)

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        bound = (self.asked + LOOKAHEAD_PAGES) * self.per_page
        counted = self.object_list.order_by().values("pk")[: bound + 1].count()
        return min(counted, bound), counted > bound

    @property
    def count(self) -> int:
        """The stories counted: all of them, or ``bound`` when ``more`` is True."""
        return self._bounded[0]

    @property
    def more(self) -> bool:
        return self._bounded[1]


class RankedArticlePaginator(ArticlePaginator):
    """For a ranked list (a search): the page's ids first, ranked over ids alone, then the
    cards of those ids (``ArticleQuerySet.for_cards``) in one query, put back in rank order.

    A list in the order of an index needs none of this: the database reads the page's rows
    alone from the index.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        cards = Article.objects.filter(pk__in=ids).for_cards().in_bulk()
        return self._get_page([cards[pk] for pk in ids if pk in cards], number, self)
