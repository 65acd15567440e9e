from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("ny/", views.notice_create, name="create"),
    path("abonnement/", views.subscriptions, name="subscriptions"),
    path("feed/<str:token>/driftsmeldinger.atom", views.feed_atom, name="feed_atom"),
    path("feed/<str:token>/vedlikehold.ics", views.feed_ical, name="feed_ical"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/slaa-av/", views.webhook_deactivate, name="webhook_deactivate"),
    path("lenker/ny/", views.link_add, name="link_add"),
    path("lenker/fjern/", views.link_remove, name="link_remove"),
    path("<str:reference>/", views.notice_detail, name="detail"),
    path("<str:reference>/rediger/", views.notice_edit, name="edit"),
    path("<str:reference>/publiser/", views.notice_publish, name="publish"),
    path("<str:reference>/stopp-publisering/", views.notice_unschedule, name="unschedule"),
    path("<str:reference>/oppdatering/", views.notice_update, name="update"),
    path("<str:reference>/handling/<str:action>/", views.notice_action, name="action"),
    path("<str:reference>/bekreft/", views.notice_acknowledge, name="acknowledge"),
    path("<str:reference>/leveranser/", views.notice_deliveries, name="deliveries"),
    path("<str:reference>/leveranser/send-paa-nytt/", views.notice_resend, name="resend"),
]
