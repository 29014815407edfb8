"""Coaching log routes: `urlpatterns` sit under /safety/coaching/ (the safety namespace),
`portal_patterns` under /me/coaching/ (namespace safety_coaching_portal)."""

from __future__ import annotations

from django.urls import path

from openiop.safety import views_coaching as views

urlpatterns = [
    path("", views.coaching_list, name="coaching_list"),
    path("<uuid:public_id>/", views.coaching_detail, name="coaching"),
    path("<uuid:public_id>/claim/", views.coaching_claim, name="coaching_claim"),
    path("<uuid:public_id>/respond/", views.coaching_respond, name="coaching_respond"),
    path(
        "programs/<uuid:program_id>/settings/",
        views.coaching_settings,
        name="coaching_settings",
    ),
]

portal_patterns = [
    path("", views.portal_coaching, name="list"),
    path("<uuid:public_id>/", views.portal_coaching_detail, name="detail"),
]
