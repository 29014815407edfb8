from __future__ import annotations

from django.urls import path

from openiop.ops import views

app_name = "ops"
urlpatterns = [
    path("tasks/<uuid:public_id>/", views.task_status, name="task_status"),
    path("health/", views.health, name="health"),
]
