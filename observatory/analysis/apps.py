from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "observatory.analysis"
    label = "analysis"
    verbose_name = "Analysis"
