from __future__ import annotations

from django.urls import URLPattern, path

from openiop.homework import views

app_name = "homework"

urlpatterns: list[URLPattern] = [
    path("skills/", views.library, name="library"),
    path("skills/<slug:item_id>/", views.skill, name="skill"),
    path("participants/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("sessions/<uuid:session_id>/assign/", views.session_assign, name="session_assign"),
]
