"""The token index of entity search (SQLite: an FTS5 table kept by triggers; nothing on PostgreSQL).
See observatory/inventory/search_index.py."""

from django.db import migrations


def create(apps, schema_editor):
    from observatory.inventory import search_index

    search_index.ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from observatory.inventory import search_index

    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0003_listed_in_and_status_origin'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
