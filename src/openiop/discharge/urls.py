from __future__ import annotations

from django.urls import URLPattern, path

from openiop.discharge import views

app_name = "discharge"

_EPISODE = "participants/<uuid:public_id>/episodes/<uuid:episode_id>/"
_SUMMARY = "participants/<uuid:public_id>/summaries/<uuid:summary_id>/"

urlpatterns: list[URLPattern] = [
    path(_EPISODE, views.transitions, name="transitions"),
    path(_EPISODE + "hold/", views.hold, name="hold"),
    path(_EPISODE + "resume/", views.resume, name="resume"),
    path(_EPISODE + "extend/", views.extend, name="extend"),
    path(_EPISODE + "step-up/", views.step_up, name="step_up"),
    path(_EPISODE + "step-down/", views.step_down, name="step_down"),
    path(_EPISODE + "discharge/", views.discharge, name="discharge"),
    path(_EPISODE + "summary/", views.summary_new, name="summary_new"),
    path(_EPISODE + "alumni/", views.alumni_consent, name="alumni_consent"),
    path(_SUMMARY, views.summary, name="summary"),
    path(_SUMMARY + "edit/", views.summary_edit, name="summary_edit"),
    path(_SUMMARY + "sign/", views.summary_sign, name="summary_sign"),
    path(_SUMMARY + "refresh/", views.summary_refresh, name="summary_refresh"),
    path(_SUMMARY + "addendum/", views.summary_addendum, name="summary_addendum"),
    path(_SUMMARY + "print/", views.summary_print, name="summary_print"),
    path(_SUMMARY + "pdf/", views.summary_pdf_view, name="summary_pdf"),
    path(_SUMMARY + "disclose/", views.summary_disclose, name="summary_disclose"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("alumni/decline/", views.portal_decline, name="portal_decline"),
    path("alumni/<uuid:episode_id>/agree/", views.portal_agree, name="portal_agree"),
]
