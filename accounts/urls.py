from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitasjoner/", views.invitations, name="invitations"),
    path("invitasjon/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
