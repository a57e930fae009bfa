from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _search_index_ensure(sender, using, **kwargs) -> None:
    """A later migration that rebuilds the entity table drops the index's triggers: put them back
    (unless the migration that made the index is not applied, e.g. after migrating back before it)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import search_index

    connection = connections[using]
    if connection.vendor == "sqlite" and search_index.MIGRATION in MigrationRecorder(connection).applied_migrations():
        search_index.ensure(connection)


class InventoryConfig(AppConfig):
    name = "observatory.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from . import versioning  # noqa: F401  (registers models with django-reversion)

        post_migrate.connect(_search_index_ensure, sender=self, dispatch_uid="inventory-search-index")
