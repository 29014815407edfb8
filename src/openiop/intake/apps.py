from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "openiop.intake"
    label = "intake"
    verbose_name = "Intake"
