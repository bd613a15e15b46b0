from django.urls import path

from charterdesk.feedback import views

app_name = "feedback"

urlpatterns = [
    path("s/<str:token>/<int:score>/", views.score, name="score"),
    path("s/<str:token>/comment/", views.comment, name="comment"),
    path("c/<str:token>/", views.campaign, name="campaign"),
    path("record/", views.record, name="record"),
    path("campaigns/<int:pk>/", views.campaign_results_page, name="campaign_results"),
]
