from __future__ import annotations

from django.urls import path

from openiop.diary import views

app_name = "diary"
urlpatterns = [
    path("participants/<uuid:public_id>/", views.review, name="review"),
    path("participants/<uuid:public_id>/targets/", views.targets, name="targets"),
    path("programs/<uuid:program_id>/", views.program_settings, name="program_settings"),
]
