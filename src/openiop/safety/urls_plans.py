"""Safety plan routes: staff pages under /safety/, the participant's under /me/safety-plan/."""

from __future__ import annotations

from django.urls import path

from openiop.safety import views_plans as views

urlpatterns = [
    path("participants/<uuid:public_id>/plan/", views.plan_overview, name="plan"),
    path("participants/<uuid:public_id>/plan/edit/", views.plan_edit, name="plan_edit"),
    path(
        "participants/<uuid:public_id>/plan/<uuid:version_id>/",
        views.plan_version,
        name="plan_version",
    ),
    path(
        "participants/<uuid:public_id>/plan/<uuid:version_id>/sign/",
        views.plan_sign,
        name="plan_sign",
    ),
    path(
        "participants/<uuid:public_id>/plan/<uuid:version_id>/print/",
        views.plan_print,
        name="plan_print",
    ),
]

# Included from portal/urls.py, so the names live in the "portal" namespace.
portal_urlpatterns = [
    path("", views.portal_plan, name="safety_plan"),
    path("print/", views.portal_plan_print, name="safety_plan_print"),
]
