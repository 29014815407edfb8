"""Scheduling URLs, split by area so each part of the schedule owns its routes."""

from django.urls import include, path

app_name = "scheduling"
urlpatterns = [
    path("", include("openiop.scheduling.urls_sessions")),
    path("", include("openiop.scheduling.urls_attendance")),
    path("", include("openiop.scheduling.urls_calendar")),
    path("", include("openiop.scheduling.urls_planner")),
]
