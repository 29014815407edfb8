"""Series, sessions, bookings and unavailable times (SESSIONS area)."""

from __future__ import annotations

from django.urls import URLPattern, path

from openiop.scheduling import views_sessions as views

urlpatterns: list[URLPattern] = [
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_new, name="series_new"),
    path("series/<uuid:public_id>/edit/", views.series_edit, name="series_edit"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<uuid:public_id>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:public_id>/cancel/", views.session_cancel, name="session_cancel"),
    path(
        "participants/<uuid:public_id>/book/individual/",
        views.book_individual,
        name="book_individual",
    ),
    path("participants/<uuid:public_id>/book/family/", views.book_family, name="book_family"),
    path(
        "participants/<uuid:public_id>/unavailable/new/",
        views.unavailability_new,
        name="unavailability_new",
    ),
    path(
        "participants/<uuid:public_id>/unavailable/<uuid:item_id>/remove/",
        views.unavailability_remove,
        name="unavailability_remove",
    ),
]
