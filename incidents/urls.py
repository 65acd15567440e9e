from django.urls import include, path

from casework import queue_views
from casework import views as case_views

from . import views

app_name = "incidents"

# The case page and its action, message and attachment views are the kernel's, for this case
# type.
CASE_TYPE = {"case_type_key": "incident"}

urlpatterns = [
    # Security breaches (C.2, C.3): before "<reference>/", which would take the prefix.
    path("sikkerhetsbrudd/", include("incidents.breaches.urls")),
    path("", views.incident_list, name="list"),
    path("ny/", views.incident_create, name="create"),
    path("eksport.csv", views.incident_export, name="export"),
    # The queue's work tools (casework.queue): before "<reference>/".
    path("valgte/", queue_views.queue_bulk, CASE_TYPE, name="bulk"),
    path("filtre/", queue_views.saved_filter_create, CASE_TYPE, name="filter_save"),
    path("filtre/<int:pk>/slett/", queue_views.saved_filter_remove, CASE_TYPE,
         name="filter_delete"),
    path("<str:reference>/", case_views.case_detail, CASE_TYPE, name="detail"),
    path("<str:reference>/handling/<str:action>/", case_views.case_action, CASE_TYPE,
         name="action"),
    path("<str:reference>/alvorlighet/", views.incident_reclassify, name="reclassify"),
    path("<str:reference>/tildel/", queue_views.case_assign, CASE_TYPE, name="assign"),
    path("<str:reference>/melding/", case_views.case_message, CASE_TYPE, name="message"),
    path("<str:reference>/vedlegg/<int:pk>/", case_views.case_attachment, CASE_TYPE,
         name="attachment"),
]
