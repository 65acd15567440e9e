from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitasjoner/", views.invitations, name="invitations"),
    path("invitasjon/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("medlemmer/", views.members, name="members"),
    path("medlemmer/<int:pk>/rolle/", views.member_role, name="member_role"),
    path("medlemmer/<int:pk>/signeringsrett/", views.member_signing, name="member_signing"),
    path("medlemmer/<int:pk>/sikkerhetskontakt/", views.member_security_contact,
         name="member_security_contact"),
    path("medlemmer/<int:pk>/fjern/", views.member_remove, name="member_remove"),
    path("kontaktpunkter/", views.contact_points, name="contact_points"),
    path("kontaktpunkter/bekreft/", views.contact_points_confirm, name="contact_points_confirm"),
    path("profil/", views.profile, name="profile"),
]
