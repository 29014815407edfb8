"""The public 'contact us' pages: no login."""

from __future__ import annotations

from django.urls import path

from openiop.intake import views

app_name = "contact"
urlpatterns = [
    path("", views.inquiry_public, name="form"),
    path("thanks/", views.inquiry_thanks, name="thanks"),
]
