"""Trigram indexes for the token match of entity search on PostgreSQL (nothing on SQLite, where
the FTS5 table of 0004 serves it). See observatory/inventory/search_index.py."""

from django.db import migrations


def create(apps, schema_editor):
    from observatory.inventory import search_index

    search_index.postgres_ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from observatory.inventory import search_index

    search_index.postgres_drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0004_entity_search_index'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
