from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "observatory.coding"
    label = "coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        import reversion

        from .models import Coding

        if not reversion.is_registered(Coding):
            reversion.register(Coding)
