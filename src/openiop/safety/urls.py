from __future__ import annotations

from django.urls import include, path

from openiop.safety import views

app_name = "safety"
urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/indicator/", views.alert_indicator, name="alerts_indicator"),
    path("alerts/panel/", views.alerts_panel, name="alerts_panel"),
    path("alerts/<uuid:public_id>/", views.alert_detail, name="alert"),
    path("alerts/<uuid:public_id>/acknowledge/", views.alert_ack, name="alert_acknowledge"),
    path("alerts/<uuid:public_id>/resolve/", views.alert_res, name="alert_resolve"),
    path("programs/<uuid:program_id>/rules/", views.rules, name="rules"),
    path("programs/<uuid:program_id>/on-call/", views.on_call, name="on_call"),
    path("", include("openiop.safety.urls_plans")),
    path("coaching/", include("openiop.safety.urls_coaching")),
]
