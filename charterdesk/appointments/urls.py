from django.urls import path

from charterdesk.appointments import link_views, views

urlpatterns = [
    path("appointments/book/", views.book, name="appointment_book"),
    path("appointments/day/", views.day_view, name="office_day"),
    path("appointments/walk-in/", views.walk_in, name="walk_in"),
    path("appointments/measures/", views.measures_page, name="appointment_measures"),
    path("appointments/<int:pk>/", views.appointment_page, name="appointment"),
    path("appointments/day/step/", views.visit_step, name="visit_step"),
    path(
        "appointments/<int:pk>/<slug:action>/",
        views.appointment_action,
        name="appointment_action",
    ),
    path("a/<str:token>/", link_views.link, name="appointment_link"),
]
