"""Attendance on the session page, and follow-ups (ATTENDANCE area)."""

from __future__ import annotations

from django.urls import URLPattern, path

from openiop.scheduling import views_attendance as views

urlpatterns: list[URLPattern] = [
    path(
        "sessions/<uuid:public_id>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    path(
        "sessions/<uuid:public_id>/attendance/all-present/",
        views.attendance_all_present,
        name="attendance_all_present",
    ),
    path(
        "sessions/<uuid:public_id>/attendance/<uuid:participant_id>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path(
        "follow-ups/<uuid:public_id>/resolve/",
        views.follow_up_resolve,
        name="follow_up_resolve",
    ),
]
