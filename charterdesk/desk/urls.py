from django.contrib.auth import views as auth_views
from django.urls import path

from charterdesk.desk import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.case_page, name="case"),
]
