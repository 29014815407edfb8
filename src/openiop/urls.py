from __future__ import annotations

from django.urls import include, path

from openiop.home import panels as home_panels
from openiop.home import views as home_views
from openiop.participants import urls as participant_urls
from openiop.portal import views_welcome
from openiop.safety import urls_coaching as coaching_urls

# The chart is composed from every room (openiop.home), so it joins the participants' pages
# here rather than in participants/urls.py, which may not import the rooms above it.
participant_patterns = [
    path("<uuid:public_id>/", home_views.participant_chart, name="chart"),
    # One URL per chart panel (each needs its entry in the access matrix).
    *(
        path(
            f"<uuid:public_id>/panels/{section.slug}/",
            home_views.participant_chart_panel,
            {"panel": section.slug},
            name=f"chart_{section.slug}",
        )
        for section in home_panels.SECTIONS
    ),
    *participant_urls.urlpatterns,
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/", include("openiop.accounts.urls")),
    path("accounts/", include("openiop.staff.urls")),
    path("participants/", include((participant_patterns, participant_urls.app_name))),
    path("programs/", include("openiop.programs.urls")),
    path("audit/", include("openiop.audit_review.urls")),
    path("schedule/", include("openiop.scheduling.urls")),
    path("me/coaching/", include((coaching_urls.portal_patterns, "safety_coaching_portal"))),
    path("me/", include("openiop.portal.urls")),
    path("measures/", include("openiop.measures.urls")),
    path("diary/", include("openiop.diary.urls")),
    path("homework/", include("openiop.homework.urls")),
    path("safety/", include("openiop.safety.urls")),
    path("intake/", include("openiop.intake.urls")),
    path("care/", include("openiop.care.urls")),
    path("substance-use/", include("openiop.substance_use.urls")),
    path("notes/", include("openiop.notes.urls")),
    path("discharge/", include("openiop.discharge.urls")),
    path("billing/", include("openiop.billing.urls")),
    path("contact/", include("openiop.intake.urls_public")),
    path("welcome/", views_welcome.welcome, name="welcome"),
    path("", include("openiop.ops.urls")),
]

# A calm page with crisis numbers, rendered without the database (ops/views.py).
handler500 = "openiop.ops.views.server_error"

# A participant whose program ended, or a family member whose release ended, is told why.
handler403 = "openiop.portal.views.permission_denied"
