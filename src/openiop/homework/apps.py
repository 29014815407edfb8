from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    name = "openiop.homework"
    label = "homework"
    verbose_name = "Skills practice and homework"

    def ready(self) -> None:
        # Homework on the pages of the rooms below (their hooks.py, lib/hooks.py): the group
        # session a facilitator assigns from, and the weekly diary review that shows completion.
        from openiop.diary.hooks import review_page
        from openiop.homework import panels
        from openiop.scheduling.hooks import session_page

        session_page.connect(panels.session_context)
        review_page.connect(panels.diary_review_context)
