from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "observatory.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from . import versioning  # noqa: F401  (registers models with django-reversion)
