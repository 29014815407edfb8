from __future__ import annotations

from django.urls import path

from openiop.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.board, name="board"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("inquiries/<uuid:public_id>/", views.inquiry_detail, name="inquiry"),
    path("inquiries/<uuid:public_id>/follow-up/", views.inquiry_follow_up, name="follow_up"),
    path("inquiries/<uuid:public_id>/convert/", views.inquiry_convert, name="convert"),
    path("inquiries/<uuid:public_id>/move/<str:move>/", views.inquiry_move, name="move"),
    path(
        "participants/<uuid:public_id>/episodes/<uuid:episode_id>/assessment/",
        views.assessment,
        name="assessment",
    ),
    path(
        "participants/<uuid:public_id>/episodes/<uuid:episode_id>/assessment/level-of-care/",
        views.level_of_care,
        name="level_of_care",
    ),
    path(
        "participants/<uuid:public_id>/episodes/<uuid:episode_id>/assessment/complete/",
        views.assessment_complete,
        name="assessment_complete",
    ),
    path(
        "participants/<uuid:public_id>/episodes/<uuid:episode_id>/admit/",
        views.admit,
        name="admit",
    ),
    path("programs/<uuid:program_id>/rules/", views.rules, name="rules"),
]
