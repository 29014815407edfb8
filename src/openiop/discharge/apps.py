from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "openiop.discharge"
    label = "discharge"
    verbose_name = "Transitions, discharge and alumni follow-up"
