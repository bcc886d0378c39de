"""The rails beside an article: curated first, then filled automatically, each story once."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from articles.models import Article
from articles.rails import LATEST, MUST_READS, POPULAR, RAIL_SIZE, SIMILAR, build_rails

pytestmark = pytest.mark.django_db

AUTOMATIC = [LATEST, SIMILAR, POPULAR, MUST_READS]


def hours_ago(hours):
    return timezone.now() - dt.timedelta(hours=hours)


def loaded(article):
    """The article as the page loads it: curated stories and tags prefetched."""
    return Article.objects.for_detail().get(pk=article.pk)


def rails_of(article, **kwargs):
    return {
        rail.title: [item.headline for item in rail.items]
        for rail in build_rails(loaded(article), **kwargs)
    }


def test_latest_stories_are_the_newest_in_the_section(make_article, make_section):
    """Newest first, same section only, the article itself and unpublished stories left out."""
    world, sport = make_section(name="World"), make_section(name="Sport")
    article = make_article(section=world, published_at=hours_ago(3))
    newer = [make_article(section=world, published_at=hours_ago(h)) for h in (1, 2)]
    older = make_article(section=world, published_at=hours_ago(30))
    make_article(section=sport, published_at=hours_ago(0.5))
    make_article(section=world, status=Article.Status.DRAFT, headline="Draft in world")
    make_article(
        section=world, published_at=timezone.now() + dt.timedelta(hours=1), headline="Soon"
    )
    latest = rails_of(article)[LATEST]
    assert latest == [newer[0].headline, newer[1].headline, older.headline]


def test_latest_stories_without_a_section_are_site_wide(make_article):
    """An article outside any section gets the newest stories of the whole site."""
    article = make_article(section=None)
    others = [make_article(published_at=hours_ago(h)) for h in (5, 4, 3, 2, 1, 0.5)]
    assert rails_of(article)[LATEST] == [a.headline for a in reversed(others)][:RAIL_SIZE]


def test_popular_now_ranks_views_within_the_recent_window(make_article, settings):
    """Most read first, among stories published in the window; unread stories are not popular."""
    settings.NEWSROOM_POPULAR_DAYS = 2
    article = make_article(section=None)
    make_article(view_count=900, published_at=hours_ago(24 * 3), headline="Old and famous")
    make_article(view_count=0, published_at=hours_ago(2), headline="Unread")
    top, second = make_article(view_count=50), make_article(view_count=20)
    # Keep them out of "Latest Stories" so that they are free for "Popular Now".
    for _ in range(RAIL_SIZE):
        make_article(published_at=hours_ago(0.1))
    popular = rails_of(article)[POPULAR]
    assert popular[:2] == [top.headline, second.headline]
    assert "Old and famous" not in popular and "Unread" not in popular


def test_you_may_also_like_ranks_shared_tags_as_taggit_does(make_article, make_section):
    """Most shared tags first (taggit's similar_objects), then same section, then newest."""
    world, sport = make_section(), make_section()
    article = make_article(section=world, tags=["a", "b", "c"])
    three = make_article(section=sport, tags=["a", "b", "c"], published_at=hours_ago(50))
    two = make_article(section=sport, tags=["a", "b"], published_at=hours_ago(40))
    one_same_section = make_article(section=world, tags=["c"], published_at=hours_ago(60))
    one_elsewhere = make_article(section=sport, tags=["a"], published_at=hours_ago(2))
    make_article(section=sport, tags=["zzz"], headline="Unrelated")
    # Fill "Latest Stories" with newer world stories so the ranking is visible.
    for _ in range(RAIL_SIZE):
        make_article(section=world, published_at=hours_ago(1))
    similar = rails_of(article)[SIMILAR]
    assert similar[:4] == [
        three.headline,
        two.headline,
        one_same_section.headline,
        one_elsewhere.headline,
    ]
    assert "Unrelated" not in similar
    taggit_order = [o.pk for o in loaded(article).tags.similar_objects()]
    assert (
        taggit_order.index(three.pk)
        < taggit_order.index(two.pk)
        < taggit_order.index(one_elsewhere.pk)
    )


def test_must_reads_are_the_newest_editors_picks(make_article):
    """Only stories an editor flagged, newest first."""
    article = make_article(section=None)
    picks = [make_article(editors_pick=True, published_at=hours_ago(h)) for h in (30, 20)]
    for _ in range(RAIL_SIZE):
        make_article(published_at=hours_ago(1))
    assert rails_of(article)[MUST_READS] == [picks[1].headline, picks[0].headline]


def test_a_story_appears_once_on_the_page(make_article, make_section):
    """A story that fits several rails is shown in the first one only, never beside itself."""
    section = make_section()
    article = make_article(section=section, tags=["x"], editors_pick=True, view_count=10)
    everywhere = make_article(section=section, tags=["x"], editors_pick=True, view_count=99)
    rails = build_rails(loaded(article))
    headlines = [item.headline for rail in rails for item in rail.items]
    assert headlines == [everywhere.headline]
    assert article.headline not in headlines


def test_curated_rails_come_first_and_replace_their_automatic_rail(
    make_article, make_related, make_section
):
    """The editor's rails lead in their order; a curated rail name is not filled automatically."""
    section = make_section()
    article = make_article(section=section)
    linked = make_article(section=section, headline="Linked story")
    make_related(article, rail="Related Stories", target=linked)
    make_related(article, rail=POPULAR, headline="From the source page", section_label="LIFESTYLE")
    make_article(section=section, view_count=500, headline="Automatically popular")
    rails = build_rails(loaded(article))
    assert [rail.title for rail in rails][:2] == ["Related Stories", POPULAR]
    assert [rail.automatic for rail in rails][:2] == [False, False]
    assert rails[0].items[0].url == linked.get_absolute_url()
    popular = rails[1].items
    assert [(item.headline, item.url, item.section) for item in popular] == [
        ("From the source page", "", "Lifestyle")
    ]
    # The curated story is not repeated by "Latest Stories" below.
    latest = next(rail for rail in rails if rail.title == LATEST)
    assert [item.headline for item in latest.items] == ["Automatically popular"]


def test_curated_story_that_is_not_live_is_hidden(make_article, make_related):
    """An editor may link a scheduled story: readers do not see it until it is published."""
    article = make_article()
    soon = make_article(published_at=timezone.now() + dt.timedelta(days=1), headline="Embargoed")
    make_related(article, target=soon)
    headlines = [item.headline for rail in build_rails(loaded(article)) for item in rail.items]
    assert "Embargoed" not in headlines


def test_curated_duplicates_are_dropped(make_article, make_related):
    """The same story curated in two rails, or by headline and by link, is shown once."""
    article = make_article()
    target = make_article(headline="Twice curated")
    make_related(article, rail="Related Stories", target=target)
    make_related(article, rail=MUST_READS, headline="Twice  curated")
    make_related(article, rail=MUST_READS, headline="Only here")
    rails = {rail.title: [i.headline for i in rail.items] for rail in build_rails(loaded(article))}
    assert rails["Related Stories"] == ["Twice curated"]
    assert rails[MUST_READS] == ["Only here"]


def test_empty_rails_are_left_out(make_article):
    """A lone story on a new site has no rails at all."""
    article = make_article(section=None)
    assert build_rails(loaded(article)) == []


def reference_rails(article, size=RAIL_SIZE):
    """One query per rail, the obvious way, for comparison with the single combined query."""
    seen = {article.pk}
    published = Article.objects.published()
    since = timezone.now() - dt.timedelta(days=7)
    result = {}
    section = article.section_id
    shared = {o.pk: o.similar_tags for o in article.tags.similar_objects()}  # django-taggit
    for name in AUTOMATIC:
        pool = list(published.exclude(pk__in=seen))
        if name == LATEST:
            chosen = [a for a in pool if section is None or a.section_id == section]
            chosen.sort(key=lambda a: (a.published_at, a.pk), reverse=True)
        elif name == SIMILAR:
            chosen = [a for a in pool if shared.get(a.pk) or (section and a.section_id == section)]
            chosen.sort(
                key=lambda a: (shared.get(a.pk, 0), a.section_id == section, a.published_at, a.pk),
                reverse=True,
            )
        elif name == POPULAR:
            chosen = [a for a in pool if a.published_at >= since and a.view_count > 0]
            chosen.sort(key=lambda a: (a.view_count, a.published_at, a.pk), reverse=True)
        else:
            chosen = [a for a in pool if a.editors_pick]
            chosen.sort(key=lambda a: (a.published_at, a.pk), reverse=True)
        chosen = chosen[:size]
        seen.update(a.pk for a in chosen)
        if chosen:
            result[name] = [a.headline for a in chosen]
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_query_gives_what_one_query_per_rail_gives(
    make_article, make_section, seed, django_assert_num_queries
):
    """On a random newsroom, the combined query picks exactly the stories of separate ones."""
    rng = random.Random(seed)
    sections = [make_section() for _ in range(3)] + [None]
    tags = [f"tag{n}" for n in range(6)]
    stories = [
        make_article(
            section=rng.choice(sections),
            tags=rng.sample(tags, rng.randint(0, 3)),
            published_at=hours_ago(rng.uniform(0, 24 * 10)),
            view_count=rng.choice([0, rng.randint(1, 300)]),
            editors_pick=rng.random() < 0.3,
            status=rng.choice([Article.Status.PUBLISHED] * 5 + [Article.Status.DRAFT]),
        )
        for _ in range(40)
    ]
    for article in rng.sample([s for s in stories if s.is_published()], 6):
        page_article = loaded(article)
        with django_assert_num_queries(1):
            rails = build_rails(page_article)
        assert {r.title: [i.headline for i in r.items] for r in rails} == reference_rails(
            page_article
        )


def test_rails_cost_one_query_automatic_and_none_curated(
    make_article, make_related, django_assert_num_queries
):
    """All automatic rails together are one query; when the editor curated all four, none."""
    article = make_article(tags=["a", "b"])
    for _ in range(4 * RAIL_SIZE):
        make_article(section=article.section, tags=["a"], editors_pick=True, view_count=3)
    page_article = loaded(article)
    with django_assert_num_queries(1):
        assert len(build_rails(page_article)) == 4
    for name in AUTOMATIC:
        make_related(article, rail=name)
    page_article = loaded(article)
    with django_assert_num_queries(0):
        assert [rail.title for rail in build_rails(page_article)] == AUTOMATIC


def test_article_page_queries_do_not_grow_with_rails(
    client,
    make_article,
    make_author,
    make_section,
    make_related,
    warm_navigation,
    settings,
    django_assert_num_queries,
):
    """5 queries when every rail is curated, 6 when rails fill automatically, whatever the size
    (readers' comments are one of them; the view is counted in the cache).

    The page cache is off and the header's sections are cached, as on a running site.
    """
    settings.PAGE_CACHE_SECONDS = 0
    section = make_section()
    small = make_article(section=section, tags=["one"])
    big = make_article(
        section=section,
        authors=[make_author() for _ in range(8)],
        tags=[f"tag {n}" for n in range(10)],
    )
    for _ in range(30):
        make_article(section=section, tags=["tag 1", "one"], editors_pick=True, view_count=5)
    warm_navigation()
    for article in (small, big):
        with django_assert_num_queries(6):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert response.content.decode().count('<li class="rail__item">') == 4 * RAIL_SIZE
    for article in (small, big):
        for name in AUTOMATIC:
            for _ in range(8):
                make_related(article, rail=name, target=make_article())
        with django_assert_num_queries(5):
            assert client.get(article.get_absolute_url()).status_code == 200
