from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "observatory.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .entity_json import sqlite_functions_register

        # before any connection is opened: the entity answer's statement calls it on SQLite
        connection_created.connect(sqlite_functions_register, dispatch_uid="observatory.api.sqlite_functions")
