from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "observatory.coding"
    label = "coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        import reversion
        from django.db.backends.signals import connection_created

        from .entity_document import sqlite_functions_register
        from .models import Coding

        if not reversion.is_registered(Coding):
            reversion.register(Coding)
        # before any connection is opened: the entity document's statement calls it on SQLite
        connection_created.connect(sqlite_functions_register, dispatch_uid="observatory.coding.sqlite_functions")
