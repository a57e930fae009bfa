from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "observatory.exports"
    label = "exports"
    verbose_name = "Open dataset exports"
