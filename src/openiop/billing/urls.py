from __future__ import annotations

from django.urls import URLPattern, path

from openiop.billing import views

app_name = "billing"

_EPISODE = "participants/<uuid:public_id>/episodes/<uuid:episode_id>/"

urlpatterns: list[URLPattern] = [
    path("", views.worklist, name="worklist"),
    path("payers/", views.payers, name="payers"),
    path("payers/new/", views.payer_new, name="payer_new"),
    path("payers/<uuid:payer_id>/", views.payer_edit, name="payer_edit"),
    path("payers/<uuid:payer_id>/rules/new/", views.rule_new, name="rule_new"),
    path("rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("claims/", views.claims, name="claims"),
    path("claims/batch/", views.batch_create, name="batch_create"),
    path("claims/export.csv", views.export_csv, name="export_csv"),
    path("batches/<uuid:batch_id>/", views.batch, name="batch"),
    path("batches/<uuid:batch_id>/837i/", views.batch_837i, name="batch_837i"),
    path("remittances/new/", views.remittance_new, name="remittance_new"),
    path(_EPISODE, views.episode, name="episode"),
    path(_EPISODE + "coverage/new/", views.coverage_new, name="coverage_new"),
    path(_EPISODE + "diagnoses/new/", views.diagnosis_new, name="diagnosis_new"),
    path(
        _EPISODE + "diagnoses/<uuid:diagnosis_id>/remove/",
        views.diagnosis_remove,
        name="diagnosis_remove",
    ),
    path(_EPISODE + "authorizations/new/", views.authorization_new, name="authorization_new"),
    path(
        _EPISODE + "authorizations/<uuid:auth_id>/review/",
        views.review_new,
        name="review_new",
    ),
]
