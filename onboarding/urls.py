from django.urls import path

from casework.views import case_action, case_attachment, case_message

from . import views

# The kernel's views, for this case type (the registry gives them the rest).
CASE_TYPE = {"case_type_key": "onboarding"}

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("registrer/", views.register, name="register"),
    path("registrert/", views.registered, name="registered"),
    path("bekreft/<str:uidb64>/<str:token>/", views.verify, name="verify"),
    path("bruksvilkar/", views.terms, name="terms"),
    path("bruksvilkar/ny/", views.terms_publish, name="terms_publish"),
    path("bruksvilkar/<int:pk>/signer/", views.terms_sign, name="terms_sign"),
    path("bruksvilkar/<int:pk>/pdf/", views.terms_pdf, name="terms_pdf"),
    path("api-nokler/", views.keys, name="keys"),
    path("api-nokler/ny/<str:environment>/", views.key_create, name="key_create"),
    path("api-nokler/<int:pk>/roter/", views.key_rotate, name="key_rotate"),
    path("api-nokler/<int:pk>/trekk-tilbake/", views.key_revoke, name="key_revoke"),
    path("kontaktpunkter/", views.contact_points_overdue, name="contact_points_overdue"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/handling/<str:action>/", case_action, CASE_TYPE, name="action"),
    path("<str:reference>/endre/", views.resubmit, name="resubmit"),
    path("<str:reference>/registrant/", views.registrant_correct, name="registrant_correct"),
    path("<str:reference>/klar/", views.readiness, name="readiness"),
    path("<str:reference>/rutiner/", views.routines, name="routines"),
    path("<str:reference>/melding/", case_message, CASE_TYPE, name="message"),
    path("<str:reference>/vedlegg/<int:pk>/", case_attachment, CASE_TYPE, name="attachment"),
]
