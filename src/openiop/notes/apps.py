from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "openiop.notes"
    label = "notes"
    verbose_name = "Clinical notes and signatures"

    def ready(self) -> None:
        # Notes on the pages of the rooms below (their hooks.py, lib/hooks.py).
        from openiop.diary.hooks import review_page
        from openiop.notes import panels
        from openiop.safety.hooks import alert_page
        from openiop.scheduling.hooks import session_page

        session_page.connect(panels.session_note_context)
        alert_page.connect(panels.alert_page_context)
        review_page.connect(panels.diary_review_context)
