from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "openiop.diary"
    label = "diary"
    verbose_name = "Diary cards"
