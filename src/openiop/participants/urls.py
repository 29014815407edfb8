from __future__ import annotations

from django.urls import path

from openiop.participants import views, views_invitations

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("new/", views.participant_new, name="new"),
    path("<uuid:public_id>/edit/", views.participant_edit, name="edit"),
    path("<uuid:public_id>/episodes/new/", views.episode_new, name="episode_new"),
    path(
        "<uuid:public_id>/episodes/<uuid:episode_id>/status/",
        views.episode_status,
        name="episode_status",
    ),
    path(
        "<uuid:public_id>/episodes/<uuid:episode_id>/edit/",
        views.episode_edit,
        name="episode_edit",
    ),
    path(
        "<uuid:public_id>/episodes/<uuid:episode_id>/care-team/",
        views.care_team,
        name="care_team",
    ),
    path(
        "<uuid:public_id>/episodes/<uuid:episode_id>/care-team/end/",
        views.care_team_end,
        name="care_team_end",
    ),
    path("<uuid:public_id>/family/new/", views.family_new, name="family_new"),
    path("<uuid:public_id>/family/<uuid:contact_id>/edit/", views.family_edit, name="family_edit"),
    path(
        "<uuid:public_id>/portal/<str:action>/",
        views_invitations.portal_account,
        name="portal_account",
    ),
    path(
        "<uuid:public_id>/family/<uuid:contact_id>/portal/<str:action>/",
        views_invitations.family_portal_account,
        name="family_portal_account",
    ),
    path("<uuid:public_id>/consents/new/", views.consent_new, name="consent_new"),
    path("<uuid:public_id>/disclosures/", views.disclosures, name="disclosures"),
    path("<uuid:public_id>/consents/<uuid:consent_id>/", views.consent_detail, name="consent"),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/print/",
        views.consent_print,
        name="consent_print",
    ),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
]
