"""Files written to storage during a save, removed again if the save fails or is rolled back.

Storage is not part of the database transaction: a photo (or its renditions) written by a save
that then fails would stay in storage with nothing pointing at it. Whatever writes a file calls
``written(storage, name)``; the admin runs each save inside ``removed_if_failed()``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger(__name__)

_written: ContextVar[list | None] = ContextVar("written_files", default=None)


def written(storage, name: str) -> None:
    """Note that ``name`` was just written to ``storage`` by the save under way, if any."""
    files = _written.get()
    if files is not None:
        files.append((storage, name))


@contextmanager
def removed_if_failed() -> Iterator[None]:
    """Remove the files written inside the block when it raises (its transaction rolls back)."""
    files: list = []
    token = _written.set(files)
    try:
        yield
    except BaseException:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not remove %s after a failed save.", name, exc_info=True)
        raise
    finally:
        _written.reset(token)
