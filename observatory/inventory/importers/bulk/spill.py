"""The bulk path, spill files: what an import keeps on disk so that its memory does not grow with
its file.

- :class:`_Keys`: the identifiers seen and the first row of each duplicate key, in a private
  temporary SQLite database (on disk, a page cache of about 2 MB);
- :class:`BulkPlan`: the chunks prepared before the import's transaction, pickled one by one into
  a temporary file, with the state of the database they were prepared against.

Both are deleted when closed.
"""

from __future__ import annotations

import pickle
from collections import defaultdict

__all__ = ["BulkPlan"]


class _Keys:
    """What deciding a row needs to remember of the rows before it: the identifiers seen (a repeated
    one is rejected) and, for each duplicate key, the slug, locator and entity of its first row (a
    later row with the same key is merged into it). They are kept in a private temporary SQLite
    database (on disk, a page cache of about 2 MB), so that an import's memory does not grow with
    its file."""

    def __init__(self):
        import sqlite3

        self.db = sqlite3.connect("")  # "": a temporary on-disk database, deleted when closed
        self.db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE firsts (key TEXT PRIMARY KEY, slug TEXT, locator TEXT, entity INTEGER) "
                        "WITHOUT ROWID")
        self.repeated = 0  # rows whose identifier appeared earlier

    def id_new(self, external_id: str) -> bool:
        """Whether ``external_id`` is seen for the first time (it is remembered)."""
        return self.db.execute("INSERT OR IGNORE INTO ids VALUES (?)", (external_id,)).rowcount == 1

    def first(self, key: str) -> tuple | None:
        """(slug, locator, entity id) of the first row with the duplicate key ``key``, or None."""
        return self.db.execute("SELECT slug, locator, entity FROM firsts WHERE key = ?", (key,)).fetchone()

    def firsts_add(self, rows: list[tuple]) -> None:
        self.db.executemany("INSERT INTO firsts VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()


class BulkPlan:
    """Rows prepared before the import's transaction (:func:`rows_bulk_prepare`), with the state of
    the database they were prepared against. The prepared chunks wait in a temporary file (pickled
    one by one), not in memory."""

    def __init__(self, *, fingerprint: tuple, now):
        import tempfile

        self.fingerprint, self.now = fingerprint, now
        self.repeated: dict = defaultdict(list)
        self.repeated_count = 0
        self._file = tempfile.TemporaryFile(prefix="observatory-import-")

    def add(self, raws: list, prepared: list) -> None:
        pickle.dump((raws, prepared), self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self):
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()
