"""The SQL the ORM writes for a queryset, as text to embed in a statement written by hand.

Why it exists: the entity document (:mod:`observatory.coding.entity_document`) is one statement
written by hand, because each database's JSON functions build the whole answer in it; yet what is
public must be decided by the models' own querysets, once (``Entity.objects.public()``,
``Relation.objects.public()``, ``Coding.objects.public()``, ``StatusAssertion.objects.counting()``).
Written a second time as SQL, those rules would drift from the querysets the rest of the project
filters with. The statement therefore embeds the SQL the ORM writes for them.

Django has no public API that gives a queryset's SQL with its parameters for execution
(``str(queryset.query)`` interpolates the parameters for display, unquoted), and a Django
expression cannot be placed inside a raw statement. This module is the one place that reads
``QuerySet.query`` (its compiler's ``as_sql``, what Django itself executes). ``tests/test_orm_sql.py``
holds the embedded rules equal to the querysets, row for row, on SQLite and PostgreSQL, so a Django
upgrade that changes these internals fails there and not in production.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

__all__ = ["exists_sql"]


def exists_sql(queryset: QuerySet, column: str, *, connection) -> tuple[str, list]:
    """``EXISTS (...)`` and its parameters: true when the row whose primary key is the SQL
    expression ``column`` (e.g. ``e.id`` for an outer ``inventory_entity e``) is in ``queryset``.

    The subquery is the queryset's own SQL, compiled for ``connection``, filtered on its primary key.
    """
    inner = queryset.filter(pk=RawSQL(column, ())).order_by().values("pk")
    sql, params = inner.query.get_compiler(connection=connection).as_sql()
    return f"EXISTS ({sql})", list(params)
