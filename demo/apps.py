from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded default. Never loaded in production."""

    name = "demo"
    verbose_name = "Demo"
