"""The entity document: one public entity with its names, locations, statuses, relations, codes
and sources, in the shape of the API's ``EntityDetail``. It is the one read of an entity's record:
the API sends it as it comes, the entity page is rendered from it (``observatory.site.views``).

It lives here, the lowest app that sees both the inventory and the codings, so that both adapters
(``api`` and ``site``, siblings that do not import each other) read it. The database builds the
whole document in one SQL statement with its own JSON functions (SQLite's ``json_object`` /
``json_group_array``, PostgreSQL's ``json_build_object`` / ``json_agg``): built from model
instances it took seven queries over six tables and a few thousand Python objects for about 25 rows.

The statement is written once, as the structure of ``EntityDetail``, over a small dialect that says
how each kind of value is written so that the text parses to what the schema would have given
(``tests/coding/test_entity_document.py`` holds every answer to it, value for value and type for
type, on both databases):

- a date as ``YYYY-MM-DD``; a fuzzy date as :func:`~observatory.inventory.dates.format_fuzzy_date`
  writes it (``2011``, ``circa 2011``, ``2011-05``, ``2011-05-03``);
- a date-time as Django's JSON encoder writes an aware UTC one: milliseconds when there are
  microseconds, ``Z`` for UTC;
- a float as a float, shortest round trip: on SQLite by a Python function registered on each
  connection (SQLite's JSON writes 15 significant digits, and before 3.43 its conversions between
  doubles and text are not exact); PostgreSQL's own output is exact, but writes a whole float
  without its ``.0``, which a client would read as an integer; an infinity or NaN, which JSON cannot
  hold and writes refuse, as null;
- booleans as ``true`` / ``false`` (SQLite stores 1 / 0); a CSL record that is not an object as ``{}``.

What is public is decided by the models' querysets, once: the statement embeds the SQL the ORM
writes (:mod:`observatory.orm_sql`) for ``Entity.objects.public()`` (the entity and both ends of a
relation) and ``Coding.objects.public()`` (a coding with a source or an excerpt of a public
document), each as a subquery correlated by primary key. Curators' notes, per-field provenance and raw records are not
columns of the document. On PostgreSQL the statement is prepared on the server once per connection
(:func:`observatory.prepared.prepared_cursor`).
"""

from __future__ import annotations

import functools
import json
import math

from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

from observatory.inventory import lifecycle
from observatory.inventory.models import Entity, Relation, StatusAssertion
from observatory.orm_sql import exists_sql
from observatory.prepared import prepared_cursor

from .models import Coding

__all__ = ["entity_document", "entity_document_json", "entity_url"]


class _Dialect:
    """How one database writes each kind of value into JSON."""

    def obj(self, pairs: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def array(self, element: str, source: str, order: str) -> str:
        """A JSON array of ``element`` for each row of ``source`` (FROM ... WHERE ...), in ``order``;
        ``[]`` when there is none."""
        raise NotImplementedError

    def boolean(self, column: str) -> str:
        return column

    def number(self, column: str) -> str:
        raise NotImplementedError

    def date(self, column: str) -> str:
        raise NotImplementedError

    def datetime(self, column: str) -> str:
        raise NotImplementedError

    def fuzzy(self, column: str, precision: str) -> str:
        raise NotImplementedError

    def json(self, column: str) -> str:
        raise NotImplementedError

    def json_object_or_empty(self, column: str) -> str:
        raise NotImplementedError

    def json_value(self, expression: str) -> str:
        """A JSON value produced by a subquery or a CASE, kept as JSON where it is embedded."""
        return expression

    def document(self, expression: str) -> str:
        """The whole answer, as text."""
        return expression


class _SQLite(_Dialect):
    def obj(self, pairs):
        return "json_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def array(self, element, source, order):
        # json_group_array as a window function over the whole frame follows ORDER BY (an aggregate
        # over an ordered subquery does in practice, but SQLite does not promise it before 3.44)
        return (f"json(coalesce((SELECT json_group_array({element}) OVER (ORDER BY {order} ROWS BETWEEN "
                f"UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM {source} LIMIT 1), '[]'))")

    def boolean(self, column):
        return f"json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"

    def number(self, column):
        # SQLite before 3.43 neither prints nor reads doubles exactly (its JSON writes 15 digits): a
        # function of ours, registered on each connection, writes them as Python does
        return f"json({_SQLITE_FLOAT}({column}))"

    def date(self, column):
        return column  # stored as YYYY-MM-DD

    def datetime(self, column):
        # stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC
        return f"replace(substr({column}, 1, 23), ' ', 'T') || 'Z'"

    def fuzzy(self, column, precision):
        return (f"CASE {precision} WHEN 'year' THEN substr({column}, 1, 4) WHEN 'circa' THEN 'circa ' || "
                f"substr({column}, 1, 4) WHEN 'month' THEN substr({column}, 1, 7) ELSE {column} END")

    def json(self, column):
        return f"json({column})"

    def json_object_or_empty(self, column):
        return f"json(CASE WHEN json_type({column}) = 'object' THEN {column} ELSE '{{}}' END)"

    def json_value(self, expression):
        # a JSON value keeps its JSON subtype through a CASE, not always through a subquery
        return f"json({expression})"


class _PostgreSQL(_Dialect):
    def obj(self, pairs):
        return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def array(self, element, source, order):
        return f"coalesce((SELECT json_agg({element} ORDER BY {order}) FROM {source}), '[]'::json)"

    def number(self, column):
        # float8 is written shortest round trip already, but a whole one without its '.0' (bigint
        # keeps all 16 digits below 1e16, numeric would round to 15); what JSON cannot hold is null
        return (f"CASE WHEN {column} IS NULL OR {column} IN ('Infinity', '-Infinity', 'NaN') THEN NULL "
                f"WHEN {column} = trunc({column}) AND abs({column}) < 1e16 "
                f"THEN (trunc({column})::bigint::text || '.0')::json ELSE to_json({column}) END")

    def date(self, column):
        return f"to_char({column}, 'YYYY-MM-DD')"

    def datetime(self, column):
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM {utc})::bigint "
                f"%% 1000000 = 0 THEN '' ELSE to_char({utc}, '.MS') END || 'Z'")

    def fuzzy(self, column, precision):
        return (f"CASE {precision} WHEN 'year' THEN to_char({column}, 'YYYY') WHEN 'circa' THEN 'circa ' || "
                f"to_char({column}, 'YYYY') WHEN 'month' THEN to_char({column}, 'YYYY-MM') "
                f"ELSE to_char({column}, 'YYYY-MM-DD') END")

    def json(self, column):
        return f"{column}::json"

    def document(self, expression):
        return f"({expression})::text"  # psycopg would decode json

    def json_object_or_empty(self, column):
        return f"CASE WHEN jsonb_typeof({column}) = 'object' THEN {column}::json ELSE '{{}}'::json END"


_DIALECTS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}
_SQLITE_FLOAT = "observatory_json_float"


def _json_float(value: float | None) -> str | None:
    """A double as JSON text, as Python's json writes it (the shortest digits that read back the
    same); NULL, hence JSON null, for infinities and NaN, which JSON cannot hold (writes refuse
    them)."""
    if value is None or not math.isfinite(value):
        return None
    return repr(float(value))


def sqlite_functions_register(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each SQLite connection the functions the statement
    calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(_SQLITE_FLOAT, 1, _json_float, deterministic=True)


def _source_ref(d: _Dialect, part: str, locator: str = "source_locator") -> str:
    """SourceRef of a part whose source is joined as ``{part}_s``; null without a source."""
    ref = d.obj([("key", f"{part}_s.key"), ("locator", f"{part}.{locator}"), ("licence", f"{part}_s.licence")])
    return d.json_value(f"CASE WHEN {part}.source_id IS NULL THEN NULL ELSE {ref} END")


def _with_source(table: str, part: str) -> str:
    return f"{table} {part} LEFT JOIN inventory_source {part}_s ON {part}_s.id = {part}.source_id"


_PREFIX, _SUFFIX, _SLUG = object(), object(), object()  # the request's values in the statement's parameters


@functools.cache
def _statement(using: str) -> tuple[str, list]:
    """The statement for the database ``using`` and its parameters, in their order in the SQL
    (the request's values as the markers above)."""
    connection = connections[using]
    if connection.vendor not in _DIALECTS:
        raise NotImplementedError(
            f"the entity statement is written for SQLite and PostgreSQL, not {connection.vendor}")
    d = _DIALECTS[connection.vendor]
    # the public rules are the models' querysets, their SQL embedded by primary key (observatory.orm_sql)
    public_entity, entity_params = exists_sql(Entity.objects.public(), "e.id", connection=connection)
    public_relation, relation_params = exists_sql(Relation.objects.public(), "r.id", connection=connection)
    public_coding, coding_params = exists_sql(Coding.objects.public(), "c.id", connection=connection)
    counting, counting_params = exists_sql(StatusAssertion.objects.counting(), "a.id", connection=connection)
    names = d.array(d.obj([
        ("text", "n.text"), ("lang", "n.lang"), ("type", "n.type"), ("pinyin", "n.pinyin"),
        ("valid_from", d.date("n.valid_from")), ("valid_to", d.date("n.valid_to")),
        ("source", _source_ref(d, "n")),
    ]), _with_source("inventory_name", "n") + " WHERE n.entity_id = e.id", "n.id")
    locations = d.array(d.obj([
        ("original_lng", d.number("l.original_lng")), ("original_lat", d.number("l.original_lat")),
        ("crs", "l.crs"), ("lng", d.number("l.lng")), ("lat", d.number("l.lat")), ("precision", "l.precision"),
        ("placed_at_centroid", d.boolean("l.placed_at_centroid")), ("polygon", d.json("l.polygon")),
        ("polygon_wgs84", d.json("l.polygon_wgs84")), ("address_zh", "l.address_zh"),
        ("address_en", "l.address_en"), ("hint", "l.hint"), ("division_code", "l.division_code"),
        ("province_code", "l.province_code"), ("prefecture_code", "l.prefecture_code"),
        ("county_code", "l.county_code"), ("valid_from", d.date("l.valid_from")),
        ("valid_to", d.date("l.valid_to")), ("source", _source_ref(d, "l")),
    ]), _with_source("inventory_location", "l") + " WHERE l.entity_id = e.id", "l.id")
    statuses = d.array(d.obj([
        ("value", "a.value"), ("kind", "a.kind"), ("date", d.fuzzy("a.date", "a.date_precision")),
        ("programme", "a.programme"), ("batch", "a.batch"), ("revoked_on", d.date("a.revoked_on")),
        ("source", _source_ref(d, "a")),
        ("origin", "a.origin"), ("confidence", d.number("a.confidence")), ("rule", "a.rule"),  # issue 15
        ("census_note", f"CASE WHEN a.origin = '{lifecycle.PUBLIC_NOTE_ORIGIN}' THEN a.note ELSE '' END"),
        ("counts", d.boolean(counting)),
    ]), _with_source("inventory_statusassertion", "a") + " WHERE a.entity_id = e.id",
        # lifecycle.HISTORY_ORDER: an undated status first on both databases
        "CASE WHEN a.date IS NULL THEN 0 ELSE 1 END, a.date, a.id")
    relations = d.array(d.obj([
        ("id", "r.id"), ("type", "r.type"), ("source_entity", "r_from.slug"), ("target_entity", "r_to.slug"),
        ("from_date", d.fuzzy("r.from_date", "r.from_precision")),
        ("to_date", d.fuzzy("r.to_date", "r.to_precision")), ("weight", d.number("r.weight")),
        ("confidence", d.number("r.confidence")), ("evidence", "r.evidence"), ("source", _source_ref(d, "r")),
        ("updated", d.datetime("r.updated")),
    ]), _with_source("inventory_relation", "r")
        + " JOIN inventory_entity r_from ON r_from.id = r.source_entity_id"
          " JOIN inventory_entity r_to ON r_to.id = r.target_entity_id"
          f" WHERE (r.source_entity_id = e.id OR r.target_entity_id = e.id) AND {public_relation}", "r.id")
    codes = d.array(d.obj([
        ("code", "k.path"), ("label_en", "k.label_en"), ("label_zh", "k.label_zh"),
        ("confidence", d.number("c.confidence")), ("quote", "c.quote"), ("coded_on", d.date("c.coded_on")),
        ("source", _source_ref(d, "c")),
    ]), _with_source("coding_coding", "c")
        + f" JOIN coding_code k ON k.id = c.code_id WHERE c.entity_id = e.id AND {public_coding}", "k.path, c.id")
    sources = d.array(d.obj([
        ("key", "t_s.key"), ("title", "t_s.title"), ("licence", "t_s.licence"),
        ("redistributable", d.boolean("t_s.redistributable")), ("locator", "t.locator"),
        ("csl", d.json_object_or_empty("t_s.csl")),
    ]), "inventory_entitysource t JOIN inventory_source t_s ON t_s.id = t.source_id WHERE t.entity_id = e.id",
        "t.id")
    # the latest status: the latest date, an undated one below any dated one, then the latest id
    status = ("(SELECT a.value FROM inventory_statusassertion a WHERE a.entity_id = e.id "
              f"AND {counting} ORDER BY a.date IS NULL, a.date DESC, a.id DESC LIMIT 1)")
    document = d.obj([
        ("slug", "e.slug"), ("kind", "e.kind"), ("layer", "e.layer"), ("name", "e.name"), ("name_zh", "e.name_zh"),
        ("name_en", "e.name_en"), ("website", "e.website"),
        ("founded", d.fuzzy("e.founded", "e.founded_precision")),
        ("closed", d.fuzzy("e.closed", "e.closed_precision")), ("status", status),
        ("province_code", "e.province_code"), ("lng", d.number("p.lng")), ("lat", d.number("p.lat")),
        ("updated", d.datetime("e.updated")), ("url", "%s || e.slug || %s"),
        ("names", names), ("locations", locations), ("statuses", statuses), ("relations", relations),
        ("codes", codes), ("sources", sources),
    ])
    sql = (f"SELECT {d.document(document)} FROM inventory_entity e "
           # the first location with a point
           "LEFT JOIN inventory_location p ON p.id = (SELECT min(id) FROM inventory_location "
           f"WHERE entity_id = e.id AND lat IS NOT NULL) WHERE e.slug = %s AND {public_entity}")
    # the order of the placeholders in the SQL: the latest status (written in the document before
    # the url), the url, then the parts (whether each status counts, relations, codes), then the
    # entity's own row
    params = [*counting_params, _PREFIX, _SUFFIX, *counting_params, *relation_params, *coding_params, _SLUG,
              *entity_params]
    return sql, params


@functools.cache
def _url_template() -> tuple[str, str]:
    prefix, suffix = reverse("api:entity_detail", args=["slug-placeholder"]).split("slug-placeholder")
    return prefix, suffix


def entity_url(slug: str) -> str:
    """The API address of the entity ``slug`` (the document's ``url``)."""
    prefix, suffix = _url_template()
    return prefix + slug + suffix


def entity_document_json(slug: str, *, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The JSON text of the public entity ``slug`` (the API's ``EntityDetail``), or None when there
    is none."""
    connection = connections[using]
    sql, params = _statement(using)
    prefix, suffix = _url_template()
    values = {_PREFIX: prefix, _SUFFIX: suffix, _SLUG: slug}
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [values[param] if param in values else param for param in params])
        row = cursor.fetchone()
    return row[0] if row else None


def entity_document(slug: str, *, using: str = DEFAULT_DB_ALIAS) -> dict | None:
    """The document of the public entity ``slug`` as a dict of JSON values (dates and date-times
    as their ISO text), or None when there is none."""
    text = entity_document_json(slug, using=using)
    return json.loads(text) if text is not None else None
