"""The import_articles, build_seed_fixture and seed_site commands, end to end."""

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, Author, ImageCredit, RelatedStory, Section
from tests.conftest import DATA_DIR, FIRST_SEED, PROJECT_DIR, SECOND_SEED

pytestmark = pytest.mark.django_db


class SeedCopies:
    def __init__(self, directory):
        self.first = directory / FIRST_SEED.name
        self.second = directory / SECOND_SEED.name
        shutil.copy(FIRST_SEED, self.first)
        shutil.copy(SECOND_SEED, self.second)


@pytest.fixture
def pages(tmp_path):
    """The seed pages without their sidecars, so the command's own defaults show."""
    return SeedCopies(tmp_path)


def run_import(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def table_counts():
    return (
        Article.objects.count(),
        Author.objects.count(),
        Section.objects.count(),
        ImageCredit.objects.count(),
        RelatedStory.objects.count(),
    )


def test_import_two_seed_pages_then_reimport(tmp_path, pages):
    """Both seeds import; the second run updates both and creates nothing."""
    code, out, _ = run_import(pages.first, pages.second, "--section", "World")
    assert code == 0
    assert "2 created, 0 updated, 0 failed." in out
    before = table_counts()
    code, out, _ = run_import(pages.first, pages.second)
    assert code == 0
    assert "0 created, 2 updated, 0 failed." in out
    assert table_counts() == before


def test_default_status_is_draft_and_published_flags_apply(pages):
    """New imports are drafts unless --status published; --published-at sets the time."""
    run_import(pages.second)
    assert Article.objects.get().status == Article.Status.DRAFT
    Article.objects.all().delete()
    run_import(pages.second, "--status", "published", "--published-at", "2024-10-29T09:00+09:00")
    article = Article.objects.get()
    assert article.is_published()
    assert article.published_at.isoformat() == "2024-10-29T00:00:00+00:00"


def test_dry_run_writes_nothing_and_reports(pages):
    """--dry-run parses, reports what it would do and leaves the database as it was."""
    code, out, _ = run_import(pages.first, pages.second, "--dry-run")
    assert code == 0
    assert "would be created" in out
    assert "Dry run, nothing written: 2 created, 0 updated, 0 failed." in out
    assert table_counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("empty.txt", "the file is empty"),
        ("binary.txt", "the file is binary"),
        ("latin1.txt", "the file is not UTF-8"),
        ("no_byline.txt", "no byline"),
        ("headline_only.txt", "no body"),
        ("navigation_only.txt", "no headline"),
    ],
)
def test_bad_file_fails_alone(filename, message, pages):
    """A bad file is named with what is wrong, writes nothing, exits non-zero; others import."""
    code, out, err = run_import(DATA_DIR / filename, pages.second)
    assert code == 1
    assert f"{filename}: {message}" in err
    assert "1 created, 0 updated, 1 failed." in err
    assert Article.objects.count() == 1
    assert Article.objects.get().headline.startswith("Putin Won’t Sit Down")


def test_missing_file_fails_with_a_message(tmp_path):
    """A path that does not exist is reported like any bad file."""
    code, _, err = run_import(tmp_path / "nope.txt")
    assert code == 1
    assert "nope.txt: cannot read the file" in err


def test_bad_sidecar_fails_that_page_only(tmp_path, pages):
    """A malformed sidecar fails its page and nothing of it is written."""
    page = tmp_path / "page.txt"
    shutil.copy(pages.first, page)
    (tmp_path / "page.toml").write_text("published_at = 12")
    code, _, err = run_import(page, pages.second)
    assert code == 1
    assert "page.toml" in err
    assert Article.objects.count() == 1


def test_field_too_long_rolls_back_that_page(tmp_path):
    """A page whose author name is too long for the database fails whole, with no partial rows."""
    page = tmp_path / "long.txt"
    page.write_text(f"Headline\n\n{'X' * 200} Views\n\nReuters\n\nCaption.\n\nBody.\n")
    code, _, err = run_import(page)
    assert code == 1
    assert "long.txt: not saved" in err
    assert table_counts() == (0, 0, 0, 0, 0)


def test_bad_published_at_is_a_clear_error(pages):
    """An unparseable --published-at stops the run before anything is read."""
    code, _, err = run_import(pages.second, "--published-at", "yesterday")
    assert code == 1
    assert "--published-at" in err
    assert Article.objects.count() == 0


def test_seed_site_loads_once():
    """seed_site loads the fixture into an empty database and leaves a filled one alone."""
    call_command("seed_site", stdout=io.StringIO())
    assert Article.objects.count() == 2
    article = Article.objects.first()
    article.headline = "Edited by the desk"
    article.save()
    out = io.StringIO()
    call_command("seed_site", stdout=out)
    assert "not loaded" in out.getvalue()
    assert Article.objects.filter(headline="Edited by the desk").exists()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_committed_fixture_matches_a_fresh_build(tmp_path):
    """fixtures/seed.json is exactly what build_seed_fixture makes from fixtures/source/."""
    output = tmp_path / "seed.json"
    call_command("build_seed_fixture", output=output, stdout=io.StringIO())
    committed = (PROJECT_DIR / "fixtures" / "seed.json").read_text(encoding="utf-8")
    assert json.loads(output.read_text(encoding="utf-8")) == json.loads(committed)


def test_seed_fixture_loads_both_articles_related_to_each_other():
    """loaddata seed gives two published World stories that link to each other."""
    call_command("loaddata", "seed", stdout=io.StringIO())
    hosts = Article.objects.get(slug__startswith="putin-hosts")
    wont = Article.objects.get(slug__startswith="putin-wont")
    assert hosts.is_published() and wont.is_published()
    assert hosts.published_at.date().isoformat() == "2024-11-04"
    assert wont.published_at.date().isoformat() == "2024-10-29"
    assert hosts.related_stories.get(rail="Related Stories").target == wont
    assert wont.related_stories.get(rail="Related Stories").target == hosts
    assert hosts.lead_image.credit_line == "Reuters-Yonhap"
    assert set(hosts.lead_image.sources.values_list("name", flat=True)) == {"Reuters", "Yonhap"}
    assert "North Korea" in hosts.tags.names()


# Safe on any file -------------------------------------------------------------------------------


def test_fifo_device_and_directory_are_refused_by_name(tmp_path, pages):
    """A FIFO, a link to /dev/zero and a directory are refused at once; the good page imports."""
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "folder.txt").mkdir()
    code, out, err = run_import(
        tmp_path / "pipe.txt", tmp_path / "zero.txt", tmp_path / "folder.txt", pages.second
    )
    assert code == 1
    assert "pipe.txt: not a regular file but a FIFO" in err
    assert "zero.txt: not a regular file but a device" in err
    assert "folder.txt: not a regular file but a directory" in err
    assert "1 created, 0 updated, 3 failed." in err


def test_size_limit_is_a_setting(tmp_path, pages, settings):
    """IMPORT_MAX_BYTES refuses larger files before reading them."""
    settings.NEWSROOM_IMPORT_MAX_BYTES = 1000
    code, _, err = run_import(pages.second)
    assert code == 1
    assert "at most 1,000 are read (IMPORT_MAX_BYTES)" in err


def test_operators_files_import_bom_crlf_and_utf16(tmp_path, pages):
    """A page saved with a BOM and CRLF, or as UTF-16 with a BOM, imports like any other."""
    text = pages.second.read_text(encoding="utf-8")
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(pages.first.read_text(encoding="utf-8").encode("utf-16"))
    code, out, _ = run_import(crlf, utf16)
    assert code == 0, out
    assert "2 created, 0 updated, 0 failed." in out
    assert set(Article.objects.values_list("headline", flat=True)) == {
        "Putin Won’t Sit Down with North Korean Foreign Minister, Kremlin Confirms",
        "Putin Hosts North Korean Minister for a Surprising Sit-Down",
    }


def test_too_long_headline_is_called_too_long(tmp_path):
    """The message gives the real reason, not "no headline"."""
    page = tmp_path / "long.txt"
    page.write_text("H" * 301 + "\n\nJane Roe Views\n\nBody.\n")
    code, _, err = run_import(page)
    assert code == 1
    assert "long.txt: the headline is too long: 301 characters, at most 300" in err


def test_cut_off_page_imports_with_a_warning_naming_the_file(tmp_path):
    """A page cut off mid-body imports, and the operator is told which file to check."""
    page = tmp_path / "cut.txt"
    page.write_text("Cut story\n\nJane Roe Views\n\nFirst paragraph.\n\nThe talks will resume in")
    code, out, err = run_import(page)
    assert code == 0
    assert "cut.txt: check: the page seems cut off" in err
    assert "1 created, 0 updated, 0 failed. 1 to check" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('editors_pick = "false"', "editors_pick: must be true or false"),
        ("published_at = 0001-01-01T00:00:00+09:00", "is out of range"),
        ("related = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        (f'dek = "{"x" * 2000}"', "dek: 2,000 characters; at most 1,000"),
    ],
)
def test_a_bad_sidecar_fails_its_page_and_the_run_goes_on(tmp_path, pages, content, message):
    """A sidecar value of the wrong type or range fails its page alone, named."""
    page = tmp_path / "page.txt"
    shutil.copy(pages.first, page)
    (tmp_path / "page.toml").write_text(content)
    code, _, err = run_import(page, pages.second)
    assert code == 1
    assert "page.txt: " in err and message in err
    assert "1 created, 0 updated, 1 failed." in err
    assert Article.objects.count() == 1


def test_file_names_are_printed_escaped(tmp_path, pages):
    """A file name holding a terminal escape sequence is printed escaped."""
    page = tmp_path / "evil\x1b[2J.txt"
    shutil.copy(pages.second, page)
    code, out, _ = run_import(page)
    assert code == 0
    assert "evil\\x1b[2J.txt: created" in out
    assert "\x1b" not in out


def test_same_headline_without_url_in_one_run_is_reported(tmp_path, pages):
    """Two files with one headline and no URL: the second updates the first, and says so."""
    copy = tmp_path / "copy.txt"
    shutil.copy(pages.second, copy)
    code, out, err = run_import(pages.second, copy)
    assert code == 0
    assert "1 created, 1 updated, 0 failed." in out
    assert f"copy.txt: check: same headline as {pages.second}" in err


def test_dry_run_reports_exactly_what_the_real_run_does(tmp_path):
    """A dry run is the real run rolled back: the same lines, then nothing written."""
    from tests.pages import VARIANTS, build_pages, render_page

    paths = []
    for spec in build_pages(18, seed=4, variants=VARIANTS):
        path = tmp_path / spec.filename
        path.write_text(render_page(spec), encoding="utf-8")
        paths.append(path)
    paths.append(paths[0])  # a page given twice: created, then updated
    code, dry, _ = run_import(*paths, "--dry-run")
    assert code == 0 and table_counts() == (0, 0, 0, 0, 0)
    code, real, _ = run_import(*paths)
    assert code == 0
    assert dry.replace("would be ", "").replace("Dry run, nothing written: ", "") == real
    assert "18 created, 1 updated, 0 failed." in real
