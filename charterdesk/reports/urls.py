from django.urls import path

from charterdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="report"),
    path("close/", views.close_month, name="close"),
    path("export.<str:fmt>", views.export, name="export"),
    path("public/", views.public_page, name="public"),
    path("public/open-data.<str:fmt>", views.open_data, name="open_data"),
    path("<str:commitment_id>/", views.drilldown_page, name="drilldown"),
]
