from django.urls import path

from charterdesk.feedback import campaign_views, views

app_name = "feedback"

urlpatterns = [
    path("s/<str:token>/<int:score>/", views.score, name="score"),
    path("s/<str:token>/comment/", views.comment, name="comment"),
    path("c/<str:token>/", views.campaign, name="campaign"),
    path("record/", views.record, name="record"),
    path("campaigns/", campaign_views.campaigns_page, name="campaigns"),
    path("campaigns/<int:pk>/", campaign_views.campaign_page, name="campaign_results"),
    path("campaigns/<int:pk>/send/", campaign_views.campaign_send, name="campaign_send"),
]
