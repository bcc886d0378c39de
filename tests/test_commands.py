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
