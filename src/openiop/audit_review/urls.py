from django.urls import path

from openiop.audit_review import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.export_csv, name="export"),
    path("participant/<uuid:public_id>/", views.participant_log, name="participant"),
    path("user/<uuid:public_id>/", views.user_log, name="user"),
]
