from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "openiop.participants"
    label = "participants"
    verbose_name = "Participants"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from openiop.participants.selectors import open_episodes_count
        from openiop.participants.timezones import remember_zone
        from openiop.programs.hooks import open_episodes_count as programs_asks

        user_logged_in.connect(remember_zone, dispatch_uid="openiop_remember_zone")
        # Hooks of the rooms below (lib/hooks.py).
        programs_asks.connect(open_episodes_count)
