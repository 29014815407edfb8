from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "openiop.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        # Hooks of the rooms below (their hooks.py, lib/hooks.py): they announce, safety raises
        # the alerts and adds what it holds to their pages.
        from openiop.diary import hooks as diary
        from openiop.measures.hooks import response_recorded
        from openiop.safety import panels
        from openiop.safety.services import diary_card_alerts_raise, measure_response_alerts_raise

        diary.card_filed.connect(diary_card_alerts_raise)
        diary.week_agenda.connect(panels.diary_week_alerts)
        diary.support_page.connect(panels.diary_support_context)
        response_recorded.connect(measure_response_alerts_raise)
