from django.apps import AppConfig


class SubstanceUseConfig(AppConfig):
    name = "openiop.substance_use"
    label = "substance_use"
    verbose_name = "Substance use care"
