from django.urls import include, path

from openiop.diary import views_portal as diary_views
from openiop.portal import (
    views,
    views_consents,
    views_disclosures,
    views_offline,
    views_progress,
    views_skills,
)
from openiop.safety.urls_plans import portal_urlpatterns as safety_plan_urls
from openiop.scheduling import views_calendar

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("family/", views.family_home, name="family_home"),
    path("diary/", diary_views.diary_card, name="diary"),
    path("diary/reminder/", diary_views.diary_reminder, name="diary_reminder"),
    path("diary/<uuid:public_id>/support/", diary_views.diary_support, name="diary_support"),
    path("safety-plan/", include(safety_plan_urls)),
    path("permissions/", views_consents.permissions, name="permissions"),
    path(
        "permissions/<uuid:public_id>/stop/",
        views_consents.permission_stop,
        name="permission_stop",
    ),
    path("disclosures/", views_disclosures.disclosures, name="disclosures"),
    path("disclosures.pdf", views_disclosures.disclosures_pdf, name="disclosures_pdf"),
    path("disclosures.csv", views_disclosures.disclosures_csv, name="disclosures_csv"),
    path("skills/", views_skills.skills, name="skills"),
    path("skills/<slug:item_id>/", views_skills.skill, name="skill"),
    path("skills/<slug:item_id>/practice/", views_skills.practice, name="practice"),
    path("sw.js", views_offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("language/", views_skills.language, name="language"),
    path("progress/", views_progress.progress, name="progress"),
    path("week/", views_calendar.portal_week, name="week"),
    path("calendar/", views_calendar.portal_calendar, name="calendar"),
    path("check-ins/<uuid:public_id>/", views.checkin_start, name="checkin"),
    path(
        "check-ins/<uuid:public_id>/q/<int:number>/",
        views.checkin_question,
        name="checkin_question",
    ),
    path("check-ins/<uuid:public_id>/review/", views.checkin_review, name="checkin_review"),
    path("check-ins/<uuid:public_id>/done/", views.checkin_done, name="checkin_done"),
]
