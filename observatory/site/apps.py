from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "observatory.site"
    label = "site"
    verbose_name = "Public site"

    def ready(self):
        # every process that writes data bumps the page cache's data version (observatory/pagecache.py)
        from observatory import pagecache  # noqa: F401
