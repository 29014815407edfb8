from django.urls import path

from openiop.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("<uuid:public_id>/", views.participant_chart, name="chart"),
]
