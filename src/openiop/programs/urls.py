from django.urls import path

from openiop.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("<uuid:public_id>/", views.program_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.program_edit, name="edit"),
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
]
