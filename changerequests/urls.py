from django.urls import path

from casework import views as case_views

from . import views

app_name = "changerequests"
KEY = {"case_type_key": "changerequest"}

urlpatterns = [
    path("", views.change_request_list, name="list"),
    path("ny/", views.change_request_create, name="create"),
    path("lignende/", views.change_request_similar, name="similar"),
    path("prioritering/", views.prioritisation, name="prioritisation"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda.csv", views.agenda_csv, name="agenda_csv"),
    path("veikart/", views.roadmap, name="roadmap"),
    path("<str:reference>/", views.change_request_detail, name="detail"),
    path("<str:reference>/endre/", views.change_request_edit, name="edit"),
    path("<str:reference>/stotte/", views.change_request_support, name="support"),
    path("<str:reference>/folg/", views.change_request_follow, name="follow"),
    path("<str:reference>/konsekvens/", views.change_request_impact, name="impact"),
    path("<str:reference>/vurdering/", views.change_request_assess, name="assess"),
    path("<str:reference>/beslutning/<str:step>/", views.change_request_decide, name="decide"),
    path("<str:reference>/handling/<str:action>/", case_views.case_action, KEY, name="action"),
    path("<str:reference>/melding/", case_views.case_message, KEY, name="message"),
    path("<str:reference>/vedlegg/<int:pk>/", case_views.case_attachment, KEY,
         name="attachment"),
]
