from django.urls import path

from . import views

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
    path("<str:reference>/handling/<str:action>/", views.action, name="action"),
    path("<str:reference>/endre/", views.resubmit, name="resubmit"),
    path("<str:reference>/registrant/", views.registrant_correct, name="registrant_correct"),
    path("<str:reference>/klar/", views.readiness, name="readiness"),
    path("<str:reference>/rutiner/", views.routines, name="routines"),
    path("<str:reference>/melding/", views.message, name="message"),
]
