"""The token index of entity search: which entities have a given search token (a word of their
pre-computed ``search_text``, see :func:`observatory.china.text.search_tokens`, or of their slug).

On SQLite it is an FTS5 table, ``inventory_entity_search``, over the entity table's ``slug`` and
``search_text`` (external content: it stores only the index). Triggers on ``inventory_entity``
keep it in step with every write, whoever makes it (the services, the bulk importer, a restore, a
plain ``UPDATE``), so there is no second write path to forget. A search is then an indexed
``MATCH`` instead of a ``LIKE '%…%'`` over every row (issue 18; the figures are in
docs/benchmarks.md). The search text holds tokens separated by spaces, each made of letters and
digits only, which FTS5's ``unicode61`` tokenizer (diacritics kept) reads back as the same tokens.

PostgreSQL has no FTS5; there the same rule is a match of the token between spaces (``LIKE``
patterns), served by trigram indexes (pg_trgm's ``gin_trgm_ops``) on ``search_text`` and ``slug``
that migration 0005 creates (:func:`postgres_ensure`; measured in docs/benchmarks.md).

Django rebuilds a SQLite table for some schema changes (copy, drop, rename), and dropping the
table drops its triggers: :func:`ensure` runs after every ``migrate`` (while migration 0004 is
applied) and puts back missing triggers, rebuilding the index from the table when it had to.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL

from observatory.china import text as china_text

__all__ = ["MIGRATION", "QUERY_TOKENS_MAX", "TABLE", "drop", "ensure", "match", "postgres_drop", "postgres_ensure",
           "query_tokens"]

#: A query is looked up by its first tokens only, so that a long query stays one small lookup.
QUERY_TOKENS_MAX = 12

TABLE = "inventory_entity_search"
MIGRATION = ("inventory", "0004_entity_search_index")  # the migration that creates it

_CREATE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(slug, search_text, "
           "content='inventory_entity', content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
_ROW = "slug, search_text"
_TRIGGERS = {
    f"{TABLE}_insert": (f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON inventory_entity BEGIN "
                        f"INSERT INTO {TABLE} (rowid, {_ROW}) VALUES (new.id, new.slug, new.search_text); END"),
    f"{TABLE}_delete": (f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON inventory_entity BEGIN "
                        f"INSERT INTO {TABLE} ({TABLE}, rowid, {_ROW}) "
                        "VALUES ('delete', old.id, old.slug, old.search_text); END"),
    f"{TABLE}_update": (f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, slug, search_text ON inventory_entity "
                        "WHEN old.id IS NOT new.id OR old.slug IS NOT new.slug "
                        "OR old.search_text IS NOT new.search_text BEGIN "
                        f"INSERT INTO {TABLE} ({TABLE}, rowid, {_ROW}) "
                        "VALUES ('delete', old.id, old.slug, old.search_text); "
                        f"INSERT INTO {TABLE} (rowid, {_ROW}) VALUES (new.id, new.slug, new.search_text); END"),
}


def ensure(connection) -> bool:
    """Create the index and its triggers where missing (SQLite only); rebuild the index from the
    entity table when anything was missing. Returns whether it rebuilt."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
                       [f"{TABLE}%"])
        present = {row[0] for row in cursor.fetchall()}
        if "inventory_entity" not in connection.introspection.table_names(cursor):
            return False
        missing = [name for name in (TABLE, *_TRIGGERS) if name not in present]
        if not missing:
            return False
        cursor.execute(_CREATE)
        for name in missing:
            if name in _TRIGGERS:
                cursor.execute(_TRIGGERS[name])
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")
    return True


def drop(connection) -> None:
    """Remove the index and its triggers (the reverse of migration 0004)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def query_tokens(query: str) -> list[str]:
    """The tokens a search query is looked up by, for the strict filter and the ranked search alike:
    the query's search tokens (:func:`observatory.china.text.search_tokens`, the tokenizer of the
    entities' search text) after pinyin tone marks or numbers are removed
    (:func:`~observatory.china.text.strip_tones`), each once, the first ``QUERY_TOKENS_MAX``.

    >>> query_tokens("Chái Huǒ")
    ['chai', 'huo', 'chaihuo']
    """
    tokens = dict.fromkeys(t for t in china_text.search_tokens(china_text.strip_tones(query)) if t)
    return list(tokens)[:QUERY_TOKENS_MAX]


# PostgreSQL: trigram indexes that answer the LIKE patterns of match() (pg_trgm is a trusted
# extension: the database's owner may create it, https://www.postgresql.org/docs/15/pgtrgm.html)
_POSTGRES_INDEXES = {f"inventory_entity_{column}_trgm": column for column in ("search_text", "slug")}


def postgres_ensure(connection) -> None:
    """Create pg_trgm and the trigram indexes of the token match (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in _POSTGRES_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON inventory_entity USING gin ({column} gin_trgm_ops)")


def postgres_drop(connection) -> None:
    """Remove the trigram indexes (the reverse of migration 0005; the extension stays)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in _POSTGRES_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match(vendor: str, tokens: list[str], *, every: bool, slug: bool = False) -> Q:
    """A filter on entities: every (or, with ``every=False``, any) of ``tokens`` is a word of the
    entity's search text — or, with ``slug``, of its search text or its slug's words."""
    if vendor == "sqlite":
        expression = (" AND " if every else " OR ").join(_quoted(t) for t in tokens)
        columns = "{slug search_text}" if slug else "search_text"
        return Q(id__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s",
                               [f"{columns} : ({expression})"]))
    condition = Q()
    for token in tokens:
        word = (Q(search_text__startswith=f"{token} ") | Q(search_text__contains=f" {token} ")
                | Q(search_text__endswith=f" {token}") | Q(search_text=token))
        if slug:
            word |= Q(slug=token) | Q(slug__startswith=f"{token}-") | Q(slug__contains=f"-{token}-") | Q(
                slug__endswith=f"-{token}")
        condition = (condition & word) if every else (condition | word)
    return condition
