"""Security breach URLs, included by `incidents.urls` under `sikkerhetsbrudd/` (names in the
`incidents` namespace, prefixed `breach_`)."""

from django.urls import path

from casework import views as case_views

from . import views

# The action, message and attachment views are the kernel's, for this case type.
CASE_TYPE = {"case_type_key": "breach"}

urlpatterns = [
    path("", views.breach_list, name="breach_list"),
    path("ny/", views.breach_create, name="breach_create"),
    path("<str:reference>/", views.breach_detail, name="breach_detail"),
    path("<str:reference>/rapport/", views.breach_phase, name="breach_phase"),
    path("<str:reference>/datatilsynet/", views.breach_authority, name="breach_authority"),
    path("<str:reference>/dora/", views.breach_dora, name="breach_dora"),
    path("<str:reference>/utskrift/", views.breach_print, name="breach_print"),
    path("<str:reference>/handling/<str:action>/", case_views.case_action, CASE_TYPE,
         name="breach_action"),
    path("<str:reference>/melding/", case_views.case_message, CASE_TYPE,
         name="breach_message"),
    path("<str:reference>/vedlegg/<int:pk>/", case_views.case_attachment, CASE_TYPE,
         name="breach_attachment"),
]
