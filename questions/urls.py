from django.urls import path

from casework import queue_views
from casework import views as case_views

from . import faq_views, views

app_name = "questions"
CASE = {"case_type_key": "question"}

urlpatterns = [
    path("", views.question_list, name="list"),
    path("ny/", views.question_ask, name="ask"),
    path("ny/forslag/", views.question_suggest, name="suggest"),
    path("ny/besvart/", views.question_deflect, name="deflect"),
    # The queue's work tools (casework.queue): before "<reference>/".
    path("valgte/", queue_views.queue_bulk, CASE, name="bulk"),
    path("filtre/", queue_views.saved_filter_create, CASE, name="filter_save"),
    path("filtre/<int:pk>/slett/", queue_views.saved_filter_remove, CASE, name="filter_delete"),
    path("faq/", faq_views.faq_list, name="faq_list"),
    path("faq/ny/", faq_views.faq_create, name="faq_create"),
    path("faq/statistikk/", faq_views.faq_stats, name="faq_stats"),
    path("faq/sett-inn/", faq_views.faq_pick, name="faq_pick"),
    path("faq/<int:pk>/", faq_views.faq_detail, name="faq_detail"),
    path("faq/<int:pk>/rediger/", faq_views.faq_edit, name="faq_edit"),
    path("faq/<int:pk>/vurdering/", faq_views.faq_vote, name="faq_vote"),
    path("faq/<int:pk>/handling/<str:action>/", faq_views.faq_action, name="faq_action"),
    path("<str:reference>/", case_views.case_detail, CASE, name="detail"),
    path("<str:reference>/faq-utkast/", views.question_faq_draft, name="faq_draft"),
    path("<str:reference>/tildel/", queue_views.case_assign, CASE, name="assign"),
    path("<str:reference>/handling/<str:action>/", case_views.case_action, CASE,
         name="action"),
    path("<str:reference>/melding/", case_views.case_message, CASE, name="message"),
    path("<str:reference>/vedlegg/<int:pk>/", case_views.case_attachment, CASE,
         name="attachment"),
]
