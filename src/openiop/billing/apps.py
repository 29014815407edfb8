from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "openiop.billing"
    label = "billing"
    verbose_name = "Utilization and billing"

    def ready(self) -> None:
        # Billing on the pages of the rooms below (their hooks.py, lib/hooks.py).
        from openiop.billing import panels
        from openiop.participants.hooks import admission_page

        admission_page.connect(panels.admission_context)
