from django.urls import path

from openiop.programs import views, views_curriculum

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("<uuid:public_id>/", views.program_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.program_edit, name="edit"),
    path(
        "<uuid:public_id>/documentation/",
        views.program_documentation,
        name="documentation",
    ),
    path("<uuid:public_id>/tracks/new/", views.track_create, name="track_create"),
    path(
        "<uuid:public_id>/session-types/new/", views.session_type_create, name="session_type_create"
    ),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<uuid:public_id>/edit/", views.site_edit, name="site_edit"),
    path("sites/<uuid:public_id>/rooms/new/", views.room_create, name="room_create"),
    path("tracks/<uuid:public_id>/edit/", views.track_edit, name="track_edit"),
    path("rooms/<uuid:public_id>/edit/", views.room_edit, name="room_edit"),
    path(
        "session-types/<uuid:public_id>/edit/",
        views.session_type_edit,
        name="session_type_edit",
    ),
    # Skills curriculum (programs/views_curriculum.py)
    path("<uuid:public_id>/curriculum/", views_curriculum.curriculum_page, name="curriculum"),
    path(
        "<uuid:public_id>/curriculum/reset/",
        views_curriculum.curriculum_reset,
        name="curriculum_reset",
    ),
    path(
        "<uuid:public_id>/curriculum/blocks/new/",
        views_curriculum.block_create,
        name="curriculum_block_create",
    ),
    path(
        "curriculum/blocks/<uuid:public_id>/edit/",
        views_curriculum.block_edit,
        name="curriculum_block_edit",
    ),
    path(
        "curriculum/blocks/<uuid:public_id>/move/",
        views_curriculum.block_move,
        name="curriculum_block_move",
    ),
    path(
        "curriculum/blocks/<uuid:public_id>/remove/",
        views_curriculum.block_remove,
        name="curriculum_block_remove",
    ),
    path(
        "curriculum/blocks/<uuid:public_id>/lessons/new/",
        views_curriculum.lesson_create,
        name="curriculum_lesson_create",
    ),
    path(
        "curriculum/lessons/<uuid:public_id>/edit/",
        views_curriculum.lesson_edit,
        name="curriculum_lesson_edit",
    ),
    path(
        "curriculum/lessons/<uuid:public_id>/remove/",
        views_curriculum.lesson_remove,
        name="curriculum_lesson_remove",
    ),
]
