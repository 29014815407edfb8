from __future__ import annotations

from django.urls import path

from openiop.measures import views

app_name = "measures"
urlpatterns = [
    path(
        "participants/<uuid:public_id>/enter/<str:code>/",
        views.response_new,
        name="response_new",
    ),
    path(
        "participants/<uuid:public_id>/responses/<uuid:response_id>/",
        views.response_detail,
        name="response",
    ),
    path(
        "participants/<uuid:public_id>/responses/<uuid:response_id>/entered-in-error/",
        views.response_error,
        name="response_error",
    ),
    path(
        "participants/<uuid:public_id>/responses/<uuid:response_id>/correct/",
        views.response_correct,
        name="response_correct",
    ),
    path(
        "participants/<uuid:public_id>/responses/<uuid:response_id>/fhir.json",
        views.response_fhir,
        name="response_fhir",
    ),
    path("programs/<uuid:program_id>/batteries/", views.batteries, name="batteries"),
]
