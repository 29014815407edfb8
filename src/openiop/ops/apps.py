from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "openiop.ops"
    label = "ops"
    verbose_name = "Operations"
