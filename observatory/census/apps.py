from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "observatory.census"
    label = "census"
    verbose_name = "liveness census"
    default_auto_field = "django.db.models.BigAutoField"
