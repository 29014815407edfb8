"""The week planner (PLANNER area)."""

from __future__ import annotations

from django.urls import URLPattern, path

from openiop.scheduling import views_planner as views

urlpatterns: list[URLPattern] = [
    path("plan/", views.plan_week, name="plan_week"),
    path("plan/hours/", views.plan_hours, name="plan_hours"),
    path("plan/<uuid:public_id>/", views.plan_run, name="plan_run"),
    path("plan/<uuid:public_id>/decide/", views.plan_decide, name="plan_decide"),
    path("participants/<uuid:public_id>/tracks/", views.track_fit, name="track_fit"),
]
