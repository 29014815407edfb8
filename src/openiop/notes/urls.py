from __future__ import annotations

from django.urls import URLPattern, path

from openiop.notes import views

app_name = "notes"

urlpatterns: list[URLPattern] = [
    path("sessions/<uuid:session_id>/open/", views.note_open, name="open"),
    path("participants/<uuid:public_id>/start/", views.note_start, name="start"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("<uuid:note_id>/", views.note_detail, name="note"),
    path("<uuid:note_id>/addenda/", views.addendum_new, name="addendum_new"),
    path("<uuid:note_id>/cosign/", views.note_cosign, name="cosign"),
    path("participants/<uuid:public_id>/<uuid:note_id>/", views.chart_copy, name="chart_copy"),
]
