from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "observatory.site"
    label = "site"
    verbose_name = "Public site"
