from django.urls import path

from openiop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<uuid:public_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:public_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<uuid:public_id>/mfa-reset/", views.user_mfa_reset, name="user_mfa_reset"),
    path("users/<uuid:public_id>/invite/", views.user_invite, name="user_invite"),
]
