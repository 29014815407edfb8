from __future__ import annotations

from django.urls import URLPattern, path

from openiop.care import views, views_portal, views_relapse

app_name = "care"

P = "p/<uuid:public_id>"
PLAN = f"{P}/plan/<uuid:plan_id>"

urlpatterns: list[URLPattern] = [
    path(f"{P}/plan/", views.plan_overview, name="plan"),
    path(f"{P}/plan/start/", views.plan_start, name="plan_start"),
    path(f"{PLAN}/", views.plan_version, name="plan_version"),
    path(f"{PLAN}/edit/", views.plan_edit, name="plan_edit"),
    path(f"{PLAN}/<str:kind>/new/", views.plan_item, name="plan_item_add"),
    path(f"{PLAN}/<str:kind>/<uuid:item_id>/", views.plan_item, name="plan_item"),
    path(
        f"{PLAN}/<str:kind>/<uuid:item_id>/remove/",
        views.plan_item_remove,
        name="plan_item_remove",
    ),
    path(f"{PLAN}/sign/", views.plan_sign, name="plan_sign"),
    path(f"{PLAN}/cosign/", views.plan_cosign, name="plan_cosign"),
    path(f"{PLAN}/print/", views.plan_print, name="plan_print"),
    path(f"{PLAN}/review/", views.plan_review, name="plan_review"),
    path(f"{P}/reviews/<uuid:review_id>/", views.review_detail, name="review"),
    path(f"{P}/relapse/", views_relapse.relapse_overview, name="relapse"),
    path(f"{P}/relapse/edit/", views_relapse.relapse_edit, name="relapse_edit"),
    path(
        f"{P}/relapse/<uuid:version_id>/",
        views_relapse.relapse_version,
        name="relapse_version",
    ),
    path(
        f"{P}/relapse/<uuid:version_id>/agree/",
        views_relapse.relapse_agree,
        name="relapse_agree",
    ),
    path(
        f"{P}/relapse/<uuid:version_id>/discharge-review/",
        views_relapse.relapse_discharge_review,
        name="relapse_discharge_review",
    ),
    path(
        f"{P}/relapse/proposals/<uuid:proposal_id>/",
        views_relapse.relapse_proposal_decide,
        name="relapse_proposal_decide",
    ),
    path("me/plan/", views_portal.my_plan, name="my_plan"),
    path("me/relapse-plan/", views_portal.my_relapse_plan, name="my_relapse_plan"),
    path("me/relapse-plan/propose/", views_portal.my_relapse_propose, name="my_relapse_propose"),
]
