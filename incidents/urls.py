from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("ny/", views.incident_create, name="create"),
    path("eksport.csv", views.incident_export, name="export"),
    path("<str:reference>/", views.incident_detail, name="detail"),
    path("<str:reference>/handling/<str:action>/", views.incident_action, name="action"),
    path("<str:reference>/alvorlighet/", views.incident_reclassify, name="reclassify"),
    path("<str:reference>/melding/", views.incident_message, name="message"),
    path("<str:reference>/vedlegg/<int:pk>/", views.incident_attachment, name="attachment"),
]
