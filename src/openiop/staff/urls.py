from django.urls import path

from openiop.staff import views

# Joined under accounts/ in the root URLconf: the paths are those the pages always had.
app_name = "staff"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<uuid:public_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:public_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<uuid:public_id>/mfa-reset/", views.user_mfa_reset, name="user_mfa_reset"),
    path("users/<uuid:public_id>/invite/", views.user_invite, name="user_invite"),
]
