from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "openiop.care"
    label = "care"
    verbose_name = "Treatment plans and relapse prevention"
