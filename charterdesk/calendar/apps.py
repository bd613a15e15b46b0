from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "charterdesk.calendar"
    label = "business_calendar"
