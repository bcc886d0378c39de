"""Django's file cache, for the embedded default, without a folder listing on every write.

Django's ``FileBasedCache`` lists every file in its folder on each write, to see whether it is
over ``MAX_ENTRIES``. With thousands of entries (cached pages, and a version for each story the
page cache tracks) that listing is most of a write's time, and one ``set_many`` of a thousand
keys (an import moving the versions of a thousand stories) lists the folder a thousand times:
an import into a site of 6,000 stories spent 29 of its 31 seconds there. This subclass looks at
the folder on its first write and then once every ``CULL_CHECK_EVERY`` writes, so the folder may
hold that many entries over ``MAX_ENTRIES`` before it is culled.
"""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache

CULL_CHECK_EVERY = 100


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        # Django's cache handler gives each thread its own instance: a plain counter will do.
        self._writes_until_cull_check = 0

    def _cull(self):
        if self._writes_until_cull_check > 0:
            self._writes_until_cull_check -= 1
            return
        self._writes_until_cull_check = CULL_CHECK_EVERY - 1
        super()._cull()
