from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "salesflow.demo"
    label = "demo"
    verbose_name = "Demo company"
