from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ContactPoint, Membership, Organisation, User
from demo import data


class Command(BaseCommand):
    help = "Create the demo organisations and logins (embedded default only) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is only for the embedded default (DEMO_DATA_ALLOWED).")
        orgs = {}
        for key, spec in data.ORGANISATIONS.items():
            orgs[key], _ = Organisation.objects.update_or_create(
                orgnr=spec["orgnr"], defaults={"name": spec["name"], "kind": spec["kind"]})
        for key, points in data.CONTACT_POINTS.items():
            for kind, name, email, phone in points:
                ContactPoint.objects.get_or_create(organisation=orgs[key], kind=kind,
                                                   defaults={"name": name, "email": email,
                                                             "phone": phone})
        for email, name, org, role, totp, admin in data.USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=data.DEMO_PASSWORD,
                                                name=name)
            user.is_staff = user.is_superuser = admin
            user.save()
            Membership.objects.update_or_create(user=user, defaults={
                "organisation": orgs[org], "role": role})
            has_totp = Authenticator.objects.filter(user=user,
                                                    type=Authenticator.Type.TOTP).exists()
            if totp and not has_totp:
                TOTP.activate(user, data.DEMO_TOTP_SECRET)
        if not quiet:
            self.print_logins()

    def print_logins(self):
        line = "-" * 72
        self.stdout.write(line)
        self.stdout.write(f"Demo logins (password for all: {data.DEMO_PASSWORD})")
        for email, _name, org, role, totp, admin in data.USERS:
            extra = []
            if totp:
                extra.append("TOTP")
            if admin:
                extra.append("Django admin")
            self.stdout.write(f"  {email:<28} {data.ORGANISATIONS[org]['name']:<32} {role}"
                              + (f"  [{', '.join(extra)}]" if extra else ""))
        self.stdout.write(f"TOTP secret for Bits and Lånekassen: {data.DEMO_TOTP_SECRET} "
                          "(add it to an authenticator app, or: "
                          "uv run python -c \"import pyotp; print(pyotp.TOTP('"
                          f"{data.DEMO_TOTP_SECRET}').now())\")")
        self.stdout.write(line)
