from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "openiop.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        # Hooks of the rooms below (lib/hooks.py): they announce, scheduling reacts.
        from openiop.participants.hooks import episode_changed
        from openiop.scheduling.rosters import episode_rosters_resync

        episode_changed.connect(episode_rosters_resync)
