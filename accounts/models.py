"""Users, organisations and what a user may do in their organisation."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with e-mail and password. Belongs to at most one organisation."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-post"), unique=True)
    name = models.CharField(_("navn"), max_length=200, blank=True)
    # The language the person reads the portal in: notifications and e-mails to them are
    # written in it, whoever caused them. Set when they switch language while logged in, and
    # on the profile page.
    language = models.CharField(_("språk"), max_length=10, default="nb")
    # The kinds of event (a notification kind, e.g. a case type's label) the person does not
    # want by e-mail; they are still told in the portal. Critical kinds ignore this.
    email_opt_out = models.JSONField(_("ikke på e-post"), default=list, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    def __str__(self):
        return self.name or self.email

    @property
    def organisation(self):
        membership = getattr(self, "membership", None)
        return membership.organisation if membership else None


class Organisation(models.Model):
    """A bank (finansforetak, the data consumer), Bits AS, or Lånekassen (the data owner)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Finansforetak")
        BITS = "bits", _("Bits")
        LANEKASSEN = "lanekassen", _("Lånekassen")

    name = models.CharField(_("navn"), max_length=200)
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BANK)
    # Off for a bank that registered itself (A.1) until Bits has verified the registration:
    # until then its users reach their onboarding case and nothing else
    # (accounts.middleware.UnverifiedOrganisationMiddleware), and Bits and Lånekassen see it
    # marked wherever its name is shown.
    is_verified = models.BooleanField(_("verifisert av Bits"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's place in an organisation. `admin` manages the organisation's members."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Medlem")
        ADMIN = "admin", _("Administrator")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership",
                                verbose_name=_("bruker"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("organisasjon"),
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    # Signeringsrett: may sign the terms of use (bruksvilkår) on the organisation's behalf.
    # Set by the organisation's admin; not implied by the admin role.
    can_sign = models.BooleanField(_("signeringsrett"), default=False)
    # Sikkerhetskontakt: reports and sees the bank's security breaches (C.2, C.3) with its
    # admins. Set by the organisation's admin; ordinary members never see a breach.
    is_security_contact = models.BooleanField(_("sikkerhetskontakt"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class ContactPoint(models.Model):
    """A bank's kontaktpunkt: who to reach for business, technical or security matters."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("Forretning")
        TECHNICAL = "technical", _("Teknisk")
        SECURITY = "security", _("Sikkerhet")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_points",
        verbose_name=_("organisasjon"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    # Contact points are re-confirmed by the bank's admin every 12 months.
    confirmed_at = models.DateTimeField(_("sist bekreftet"), null=True, blank=True)

    class Meta:
        verbose_name = _("kontaktpunkt")
        verbose_name_plural = _("kontaktpunkter")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


def _invitation_token():
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An invitation to join an organisation; the only way into the portal (no open sign-up)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("organisasjon"),
    )
    email = models.EmailField(_("e-post"))
    name = models.CharField(_("navn"), max_length=200, blank=True)
    role = models.CharField(
        _("rolle"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token,
                             verbose_name=_("token"))
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("invitert av"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))
    expires_at = models.DateTimeField(default=_invitation_expiry, verbose_name=_("utløper"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("akseptert"))
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_usable(self):
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > timezone.now())
