"""The page parser, on the two seed pages and on broken pages; no database involved."""

import pytest

from articles.importers.parser import (
    PageError,
    ParsedRailItem,
    parse_article_page,
    read_page,
    split_credit_names,
)
from tests.conftest import DATA_DIR, FIRST_SEED, SECOND_SEED

RAIL_NAMES = ["Latest Stories", "You May Also Like", "Popular Now", "Must-Reads"]


@pytest.fixture(scope="module")
def first_page():
    return parse_article_page(read_page(FIRST_SEED))


@pytest.fixture(scope="module")
def second_page():
    return parse_article_page(read_page(SECOND_SEED))


def test_first_page_headline_byline_and_views(first_page):
    """The headline and byline are kept; the empty "Views" gives no count."""
    assert first_page.headline == "Putin Hosts North Korean Minister for a Surprising Sit-Down"
    assert first_page.byline == ("Daniel Kim",)
    assert first_page.view_count is None


def test_first_page_credit_alone_on_its_line_with_caption(first_page):
    """Form A: the agency line alone, then a one-sentence caption."""
    credit = first_page.credit
    assert credit.credit_line == "Reuters-Yonhap"
    assert credit.sources == ("Reuters", "Yonhap")
    assert credit.caption == (
        "Russian President Vladimir Putin met with North Korean Foreign Minister "
        "Choe Son Hui on Monday."
    )
    assert credit.place == ""


def test_first_page_body_paragraphs_in_order(first_page):
    """Nine body paragraphs, from the TASS report to the experts' note, nothing else."""
    assert len(first_page.paragraphs) == 9
    assert first_page.paragraphs[0].startswith("According to TASS and Sputnik News, Kremlin")
    assert first_page.paragraphs[3].startswith("On October 29, Peskov stated")
    assert first_page.paragraphs[-1].startswith("Experts note that Putin’s meeting")
    joined = " ".join(first_page.paragraphs)
    for clutter in ("Comments", "Quick access", "Latest Stories", "content@", "Share it on"):
        assert clutter not in joined


def test_first_page_signoff(first_page):
    """The sign-off name and email close the article."""
    assert first_page.signoff_name == "Daniel Kim"
    assert first_page.signoff_email == "content@viewusglobal.com"


def test_first_page_latest_label_is_not_a_section(first_page):
    """ "[LATEST] Latest Stories" is the rail's own label, not a section."""
    assert first_page.section == ""


def test_first_page_rails_once_each_with_labels(first_page):
    """Each rail once, in page order, with every headline and its section label once."""
    assert [rail.name for rail in first_page.rails] == RAIL_NAMES
    rails = {rail.name: rail.items for rail in first_page.rails}
    assert len(rails["Latest Stories"]) == 6
    assert rails["Latest Stories"][0] == ParsedRailItem(
        "Pfizer Ends Obesity Drug Trial After Liver Risk Emerges", ""
    )
    assert len(rails["Popular Now"]) == 5  # printed twice on the page
    assert rails["Popular Now"][0] == ParsedRailItem(
        "Experts Say Tea, Apples, and Cocoa Might Be the Secret to Lower BP", "LIFESTYLE"
    )
    for name in ("You May Also Like", "Popular Now", "Must-Reads"):
        assert all(item.section_label == "LIFESTYLE" for item in rails[name]), name
    assert rails["Must-Reads"][4].headline == (
        "Got a Family History of Rare Dementia? This Gene Might Protect You"
    )


def test_second_page_credit_caption_place_agency_on_one_line(second_page):
    """Form B: "Caption. Place / Agency" on one line."""
    credit = second_page.credit
    assert credit.caption == "Putin held a press conference in Kazan, Russia, on October 24."
    assert credit.place == "Kazan (Russia)"
    assert credit.credit_line == "Reuters"
    assert credit.sources == ("Reuters",)


def test_second_page_fields(second_page):
    """Headline, section from "[WORLD] Latest Stories", body, sign-off and rails."""
    assert second_page.headline == (
        "Putin Won’t Sit Down with North Korean Foreign Minister, Kremlin Confirms"
    )
    assert second_page.byline == ("Daniel Kim",)
    assert second_page.section == "World"
    assert len(second_page.paragraphs) == 6
    assert second_page.paragraphs[0].startswith("The Kremlin spokesman announced on Tuesday")
    assert second_page.paragraphs[-1].startswith("Speculation surrounding her visit")
    assert second_page.signoff_email == "content@viewusglobal.com"
    assert [rail.name for rail in second_page.rails] == RAIL_NAMES
    latest = second_page.rails[0].items
    assert [item.headline for item in latest][-1] == (
        "Kremlin Watches Trump's Greenland Acquisition Plans as Tensions Rise"
    )


def test_html_entity_leftovers_are_cleaned(first_page):
    """ "LIFESTYLE&nbsp" on the page becomes the label "LIFESTYLE"."""
    labels = {item.section_label for rail in first_page.rails for item in rail.items}
    assert labels == {"", "LIFESTYLE"}


def test_page_without_credit_has_none():
    """A page with no credit line parses with no credit and keeps its first paragraph."""
    page = parse_article_page(
        "Headline here\n\nJane Roe Views 1,204\n\nFirst paragraph of the story.\n\n"
        "Second paragraph.\n\nJane Roe\njane@example.com\n"
    )
    assert page.credit is None
    assert page.view_count == 1204
    assert page.paragraphs == ("First paragraph of the story.", "Second paragraph.")


def test_several_authors_in_byline():
    """A byline with several names keeps them in order."""
    page = parse_article_page("Headline\n\nJane Roe, Kim Min-ji and Li Wei Views\n\nBody text.\n")
    assert page.byline == ("Jane Roe", "Kim Min-ji", "Li Wei")


def test_optional_source_line():
    """A "URL:" line before the navigation gives the page's source URL."""
    page = parse_article_page(
        "URL: https://news.example/a/1\nHeadline\n\nJane Roe Views\n\nBody.\n"
    )
    assert page.source_url == "https://news.example/a/1"


@pytest.mark.parametrize(
    ("credit_line", "names"),
    [
        ("Reuters-Yonhap", ("Reuters", "Yonhap")),
        ("Reuters", ("Reuters",)),
        ("AP/Reuters", ("AP", "Reuters")),
        ("Kim Min-ji", ("Kim Min-ji",)),
        ("Getty Images, AFP", ("Getty Images", "AFP")),
    ],
)
def test_split_credit_names(credit_line, names):
    """Joint credits split into their agencies; a hyphenated personal name stays whole."""
    assert split_credit_names(credit_line) == names


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("empty.txt", "the file is empty"),
        ("binary.txt", "binary"),
        ("latin1.txt", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused(filename, message):
    """Empty, binary and non-UTF-8 files raise PageError saying why."""
    with pytest.raises(PageError, match=message):
        read_page(DATA_DIR / filename)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("no_byline.txt", "no byline"),
        ("headline_only.txt", "no body"),
        ("navigation_only.txt", "no headline"),
    ],
)
def test_pages_missing_parts_are_refused(filename, message):
    """A page without a headline, byline or body raises PageError naming what is missing."""
    with pytest.raises(PageError, match=message):
        parse_article_page(read_page(DATA_DIR / filename))


def test_missing_file_is_a_page_error(tmp_path):
    """A path that does not exist is reported, not a traceback."""
    with pytest.raises(PageError, match="cannot read"):
        read_page(tmp_path / "missing.txt")


def test_oversized_file_is_refused(tmp_path):
    """A file far larger than any article page is refused before it is read."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (3 * 1024 * 1024))
    with pytest.raises(PageError, match="at most"):
        read_page(big)
