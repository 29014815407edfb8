"""Week views, calendar feeds (CALENDAR area)."""

from __future__ import annotations

from django.urls import URLPattern, path

from openiop.scheduling import views_calendar as views

urlpatterns: list[URLPattern] = [
    path("week/", views.week_mine, name="week_mine"),
    path("week/room/<uuid:public_id>/", views.week_room, name="week_room"),
    path("week/track/<uuid:public_id>/", views.week_track, name="week_track"),
    path("week/participant/<uuid:public_id>/", views.week_participant, name="week_participant"),
    path("feeds/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
