from __future__ import annotations

from django.urls import URLPattern, path

from openiop.substance_use import views, views_testing

app_name = "substance_use"

P = "p/<uuid:public_id>"

urlpatterns: list[URLPattern] = [
    path(f"{P}/medications/", views.medications, name="medications"),
    path(f"{P}/e/<uuid:episode_id>/tests/", views_testing.tests, name="tests"),
    path("programs/<uuid:program_id>/lab-results/", views_testing.lab_import, name="lab_import"),
    path(
        "programs/<uuid:program_id>/testing/",
        views_testing.program_testing,
        name="program_testing",
    ),
    path(f"{P}/medications/reconcile/", views.reconcile, name="reconcile"),
    path(f"{P}/medications/<uuid:medication_id>/", views.medication_edit, name="medication_edit"),
    path(
        f"{P}/medications/<uuid:medication_id>/error/",
        views.medication_error,
        name="medication_error",
    ),
]
