from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openiop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from openiop.accounts.timezones import remember_zone

        user_logged_in.connect(remember_zone, dispatch_uid="openiop_remember_zone")
