from django.urls import path

from charterdesk.desk.views import actions, auth, bulk, case, drafts, inbox, notifications

urlpatterns = [
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("", inbox.inbox, name="inbox"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("inbox/live/", inbox.inbox_live, name="inbox_live"),
    path("inbox/bulk/", bulk.bulk, name="inbox_bulk"),
    path("inbox/views/", inbox.saved_filter_save_view, name="saved_filter_save"),
    path(
        "inbox/views/<int:pk>/delete/", inbox.saved_filter_delete_view, name="saved_filter_delete"
    ),
    path("cases/<int:pk>/", case.case_page, name="case"),
    path("cases/<int:pk>/draft/", drafts.draft, name="case_draft"),
    path("cases/<int:pk>/attachments/<int:attachment_id>/", case.attachment, name="attachment"),
    path("cases/<int:pk>/refer/message/", actions.refer_message, name="refer_message"),
    path("cases/<int:pk>/<slug:action>/", actions.case_action, name="case_action"),
]
