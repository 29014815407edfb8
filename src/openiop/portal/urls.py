from django.urls import path

from openiop.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("family/", views.family_home, name="family_home"),
]
