from django.urls import path

from charterdesk.channels.post import views

urlpatterns = [
    path("post/letters/new/", views.register_letter, name="post_register"),
    path("post/letters/<int:message_id>.pdf", views.sent_letter_pdf, name="post_letter_pdf"),
]
