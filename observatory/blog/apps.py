from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "observatory.blog"
    label = "blog"
    verbose_name = "Blog"
