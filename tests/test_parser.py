"""The page parser, on the two seed pages and on broken pages; no database involved."""

import pytest

from articles.importers.files import FileRefused, read_text_file
from articles.importers.parser import (
    AGENCY,
    PHOTOGRAPHER,
    CreditName,
    PageError,
    ParsedRailItem,
    Signoff,
    parse_article_page,
    parse_credit_line,
)
from tests.conftest import DATA_DIR, FIRST_SEED, SECOND_SEED


def read_page(path):
    return read_text_file(path, max_bytes=4 * 1024 * 1024)


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
    assert credit.sources == (CreditName("Reuters"), CreditName("Yonhap"))
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
    assert first_page.signoff == (Signoff("Daniel Kim", "content@viewusglobal.com"),)


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
    assert credit.sources == (CreditName("Reuters"),)


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
    assert second_page.email_of("Daniel Kim") == "content@viewusglobal.com"
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
def test_joint_credits_split_into_agencies(credit_line, names):
    """Joint credits split into their agencies; a hyphenated personal name stays whole."""
    assert parse_credit_line(credit_line) == tuple(CreditName(name) for name in names)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("empty.txt", "the file is empty"),
        ("binary.txt", "binary"),
        ("latin1.txt", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused(filename, message):
    """Empty, binary and non-UTF-8 files are refused, saying why."""
    with pytest.raises(FileRefused, match=message):
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


# The variants real archives hold -------------------------------------------------------------


def page(*blocks, byline="Jane Roe Views 12"):
    """A page from its blocks after the byline, as a scrape separates them."""
    return "\n\n".join(["Headline of the story", byline, *blocks])


BODY = ("The first paragraph of the story goes here.", "A second paragraph follows it.")


@pytest.mark.parametrize(
    ("credit_line", "expected"),
    [
        (
            "Photo by Kim Min-jun / Yonhap",
            (CreditName("Kim Min-jun", PHOTOGRAPHER), CreditName("Yonhap", AGENCY)),
        ),
        ("Courtesy of JYP Entertainment", (CreditName("JYP Entertainment", AGENCY),)),
        (
            "Photo by Ana de la Cruz / AFP",
            (CreditName("Ana de la Cruz", PHOTOGRAPHER), CreditName("AFP", AGENCY)),
        ),
        (
            "Photos by Kim Min-jun and Lee Ji-eun / Yonhap",
            (
                CreditName("Kim Min-jun", PHOTOGRAPHER),
                CreditName("Lee Ji-eun", PHOTOGRAPHER),
                CreditName("Yonhap", AGENCY),
            ),
        ),
        (
            "AP Photo/Ahn Young-joon",
            (CreditName("AP", AGENCY), CreditName("Ahn Young-joon", PHOTOGRAPHER)),
        ),
        ("Ludwig van Beethoven", (CreditName("Ludwig van Beethoven", AGENCY),)),
    ],
)
def test_photographer_credits_name_photographer_and_agency(credit_line, expected):
    """A credit naming a photographer is recognised, each name with what it is."""
    parsed = parse_article_page(page(credit_line, *BODY))
    assert parsed.credit.credit_line == credit_line
    assert parsed.credit.sources == expected
    assert parsed.paragraphs == BODY  # neither the credit nor a caption leaks into the body


def test_multi_sentence_caption_after_a_credit_alone():
    """A caption of two sentences under a standalone credit is the caption, not the lede."""
    caption = (
        "Son Heung-min celebrates after scoring against Kuwait in Kuwait City on November 14. "
        "Kim scored in the 88th minute."
    )
    parsed = parse_article_page(page("Getty Images", caption, *BODY))
    assert parsed.credit.caption == caption
    assert parsed.credit.sources == (CreditName("Getty Images"),)
    assert parsed.paragraphs == BODY


@pytest.mark.parametrize(
    "lede",
    [
        "The Kremlin spokesman announced on Tuesday that Putin has no plans to meet Choe.",
        "Analysts expect the decision to slow hiring by as much as 28% over the next 3 months.",
        "Prices rose. Wages did not. The gap is the widest in a decade.",
    ],
)
def test_a_lede_under_a_credit_without_caption_stays_the_lede(lede):
    """When the photo has no caption, the story's first paragraph is never taken for one."""
    parsed = parse_article_page(page("Reuters-Yonhap", lede, *BODY))
    assert parsed.credit.caption == ""
    assert parsed.paragraphs == (lede, *BODY)


def test_only_paragraph_under_a_credit_is_the_story():
    """A page whose only paragraph follows the credit keeps it as its body."""
    caption_like = "Fans gather outside the stadium in Seoul on November 14."
    parsed = parse_article_page(page("Yonhap", caption_like))
    assert parsed.paragraphs == (caption_like,)
    assert parsed.credit.caption == ""


def test_signoff_without_email_is_the_signoff():
    """The author's name alone under the story is the sign-off, not a last paragraph."""
    parsed = parse_article_page(page(*BODY, "Jane Roe", "Comments0"))
    assert parsed.paragraphs == BODY
    assert parsed.signoff == (Signoff("Jane Roe"),)
    assert parsed.warnings == ()


def test_a_short_last_paragraph_that_is_no_author_stays_in_the_body():
    """A last line naming no one on the byline is the story's, not a sign-off."""
    parsed = parse_article_page(page(*BODY, "Related Coverage", "Comments0"))
    assert parsed.paragraphs == (*BODY, "Related Coverage")
    assert parsed.signoff == ()


@pytest.mark.parametrize(
    "signoff",
    [
        "Jane Roe\njane@example.com\nKim Min-jun\nkim@example.com",
        "Jane Roe jane@example.com\nKim Min-jun kim@example.com",
        "Jane Roe and Kim Min-jun\njane@example.com\nkim@example.com",
        "Jane Roe\njane@example.com\n\nKim Min-jun\nkim@example.com",
    ],
)
def test_two_author_signoff_keeps_each_address(signoff):
    """A sign-off naming two authors gives each the address the page prints for them."""
    parsed = parse_article_page(
        page(*BODY, signoff, "Comments0", byline="Jane Roe and Kim Min-jun Views")
    )
    assert parsed.byline == ("Jane Roe", "Kim Min-jun")
    assert parsed.email_of("Jane Roe") == "jane@example.com"
    assert parsed.email_of("Kim Min-jun") == "kim@example.com"
    assert parsed.paragraphs == BODY


def test_desk_address_under_two_names_is_each_ones():
    """One desk address under two names is the address the page gives both."""
    parsed = parse_article_page(
        page(
            *BODY,
            "Jane Roe and Kim Min-jun\ndesk@example.com",
            byline="Jane Roe, Kim Min-jun Views",
        )
    )
    assert parsed.email_of("Jane Roe") == parsed.email_of("Kim Min-jun") == "desk@example.com"


def test_page_cut_off_mid_body_imports_with_a_warning():
    """No sign-off and an unfinished last sentence: the page parses and says to check it."""
    parsed = parse_article_page(page(BODY[0], "The minister said the talks would resume in"))
    assert parsed.paragraphs[-1] == "The minister said the talks would resume in"
    [warning] = parsed.warnings
    assert "cut off" in warning and "resume in" in warning


def test_finished_page_without_signoff_has_no_warning():
    """A story that ends its last sentence is not flagged."""
    assert parse_article_page(page(*BODY)).warnings == ()


def test_too_long_headline_says_so():
    """A headline longer than the field is refused as too long, not as missing."""
    with pytest.raises(PageError, match="headline is too long: 412 characters, at most 300"):
        parse_article_page("H" * 412 + "\n\nJane Roe Views\n\nBody.")


def test_control_characters_are_stripped_from_the_page():
    """Control characters never reach the headline, byline, body or rails."""
    text = page("Body with a bell\x07 and an escape\x1b[31m here.", byline="Jane\x08 Roe Views")
    parsed = parse_article_page(text.replace("Headline", "Head\x00line"))
    assert parsed.headline == "Headline of the story"
    assert parsed.byline == ("Jane Roe",)
    assert parsed.paragraphs == ("Body with a bell and an escape[31m here.",)


def test_non_latin_and_punctuation_headlines_and_bylines_parse():
    """Headlines and bylines in Hangul, Cyrillic or punctuation alone are kept as printed."""
    parsed = parse_article_page("북한, 동해상으로 탄도미사일 발사\n\n김민준 Views 3\n\n본문입니다.")
    assert parsed.headline == "북한, 동해상으로 탄도미사일 발사"
    assert parsed.byline == ("김민준",)
    assert parse_article_page("!!!\n\nИван Петров Views\n\nТекст.").byline == ("Иван Петров",)


def test_huge_rails_parse_in_one_pass():
    """A 2 MB page of 64,000 rail bullets keeps every distinct headline once, in order
    (rail parsing is linear; the benchmark times it)."""
    bullets = "\n".join(f"  • Story number {n}" for n in range(64_000))
    text = page(
        *BODY, "Jane Roe\njane@example.com", "[WORLD] Latest Stories", bullets + "\n" + bullets
    )
    assert len(text.encode()) > 2_000_000
    parsed = parse_article_page(text)
    [rail] = parsed.rails
    assert len(rail.items) == 64_000
    assert rail.items[-1].headline == "Story number 63999"


def test_generated_variants_parse_as_written():
    """Every variant the page generator writes parses back to what it wrote."""
    from tests.pages import VARIANTS, build_pages, render_page

    for spec in build_pages(24, seed=5, variants=VARIANTS):
        parsed = parse_article_page(render_page(spec))
        assert parsed.source_url == spec.source_url
        assert parsed.headline == spec.headline
        assert parsed.byline == spec.byline
        assert parsed.paragraphs == tuple(p.strip() for p in spec.paragraphs), spec.variant
        for name, email in zip(spec.byline, spec.emails, strict=False):
            assert parsed.email_of(name) == email
        if spec.variant == "signoff_without_email":
            assert parsed.signoff == (Signoff(spec.author),)
        if spec.caption:
            assert parsed.credit.caption == spec.caption
        if spec.photographers or spec.agencies:
            assert parsed.credit.photographers == spec.photographers
            assert tuple(s.name for s in parsed.credit.sources if s.kind == AGENCY) == spec.agencies
