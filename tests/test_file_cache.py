"""The embedded default's file cache: Django's, with the folder listed once per hundred writes."""

from __future__ import annotations

import pytest

from newsroom.file_cache import CULL_CHECK_EVERY, FileCache


def file_cache(folder, max_entries=20_000) -> FileCache:
    return FileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 2}})


def count_listings(monkeypatch, cache: FileCache) -> list[int]:
    listings = []
    real = cache._list_cache_files

    def listing():
        files = real()
        listings.append(len(files))
        return files

    monkeypatch.setattr(cache, "_list_cache_files", listing)
    return listings


def test_many_keys_at_once_list_the_folder_a_few_times(tmp_path, monkeypatch):
    cache = file_cache(tmp_path)
    listings = count_listings(monkeypatch, cache)
    cache.set_many({f"pv:article:{n}": n for n in range(1_000)}, timeout=None)
    assert len(listings) == 1_000 // CULL_CHECK_EVERY
    assert cache.get_many(["pv:article:0", "pv:article:999"]) == {
        "pv:article:0": 0,
        "pv:article:999": 999,
    }


def test_the_first_write_looks_at_the_folder(tmp_path, monkeypatch):
    file_cache(tmp_path).set_many({f"k{n}": n for n in range(30)})
    fresh = file_cache(tmp_path, max_entries=10)
    listings = count_listings(monkeypatch, fresh)
    fresh.set("one-more", 1)
    assert listings == [30]
    assert len(fresh._list_cache_files()) < 30  # culled at once, not a hundred writes later


@pytest.mark.parametrize("writes", [700, 2_000])
def test_a_full_folder_is_still_culled(tmp_path, writes):
    cache = file_cache(tmp_path, max_entries=500)
    for n in range(writes):
        cache.set(f"page:{n}", "x" * 100)
    assert len(cache._list_cache_files()) <= 500 + CULL_CHECK_EVERY
    assert cache.get(f"page:{writes - 1}") == "x" * 100
