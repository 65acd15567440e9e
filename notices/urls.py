from django.urls import path

from casework.views import case_action

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("ny/", views.notice_create, name="create"),
    path("abonnement/", views.subscriptions, name="subscriptions"),
    path("feed/<str:token>/driftsmeldinger.atom", views.feed_atom, name="feed_atom"),
    path("feed/<str:token>/vedlikehold.ics", views.feed_ical, name="feed_ical"),
    path("lenker/ny/", views.link_add, name="link_add"),
    path("lenker/fjern/", views.link_remove, name="link_remove"),
    path("<str:reference>/", views.notice_detail, name="detail"),
    path("<str:reference>/rediger/", views.notice_edit, name="edit"),
    path("<str:reference>/oppdatering/", views.notice_update, name="update"),
    path("<str:reference>/handling/<str:action>/", case_action, {"case_type_key": "notice"},
         name="action"),
    path("<str:reference>/bekreft/", views.notice_acknowledge, name="acknowledge"),
    path("<str:reference>/leveranser/", views.notice_deliveries, name="deliveries"),
    path("<str:reference>/leveranser/send-paa-nytt/", views.notice_resend, name="resend"),
]
