import logging

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ContactPoint, Membership, Organisation, User
from demo import data


class Command(BaseCommand):
    help = "Create the demo organisations and logins (embedded default only) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is only for the embedded default (DEMO_DATA_ALLOWED).")
        # The demo's own cases mail their people when the seed commits (the console backend
        # prints them): the logins are printed after that, so they are the last thing shown.
        with transaction.atomic():
            self.seed()
        if not quiet:
            self.print_logins()
            self.print_onboarding()

    def seed(self):
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
        call_command("seed_saldo_test_customers", quiet=True)
        self.seed_onboarding(orgs)
        from questions.demo import seed_questions

        seed_questions(bits=User.objects.get(email="bits@example.com"),
                       bank_a=User.objects.get(email="bank-a@example.com"),
                       bank_b=User.objects.get(email="bank-b@example.com"))
        from changerequests.demo import seed_change_requests

        seed_change_requests(bank_a=User.objects.get(email="bank-a@example.com"),
                             bank_b=User.objects.get(email="bank-b@example.com"),
                             bits=User.objects.get(email="bits@example.com"),
                             lanekassen=User.objects.get(email="lanekassen@example.com"))
        from notices.demo import seed_notices

        seed_notices(lanekassen=User.objects.get(email="lanekassen@example.com"))
        return orgs

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
        self.stdout.write(f"TOTP secret for Bits and Lånekassen: {data.DEMO_TOTP_SECRET} (add it "
                          "to an authenticator app, or print the current code with: "
                          "uv run python manage.py demo_totp)")
        self.stdout.write(line)

    # --- onboarding (process A) -------------------------------------------------------------

    def seed_onboarding(self, orgs):
        """Terms 1.0; Demo Bank A in production with the known keys; Demo Sparebank C waiting
        for test access. Every step goes through the services, as a person would take it.
        Idempotent: what exists is left alone."""
        from django.contrib.auth.tokens import default_token_generator
        from django.utils import timezone

        from accounts.services import membership_set_signing_authority
        from balances.keys import hash_key
        from balances.models import ApiKey
        from balances.services import api_key_issue
        from casework.services import reference_next
        from notifications.models import OutboxMessage
        from onboarding import services as ob
        from onboarding.models import OnboardingCase
        from onboarding.selectors import terms_current

        # The demo's history is not mailed: outbox rows written while seeding are dropped below,
        # and the (empty) deliveries queued for them after commit are not logged.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        last_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        users = {email: User.objects.get(email=email) for email, *_rest in data.USERS}
        bits, lk = users["bits@example.com"], users["lanekassen@example.com"]
        bank_a_admin = users["bank-a-admin@example.com"]
        terms = terms_current() or ob.terms_publish(
            by=lk, version=data.TERMS_VERSION, effective_date=timezone.localdate(),
            text=data.TERMS_TEXT)

        if not bank_a_admin.membership.can_sign:
            membership_set_signing_authority(membership=bank_a_admin.membership,
                                             by=bank_a_admin, can_sign=True)
            bank_a_admin.membership.refresh_from_db()
        bank_a = orgs["bank-a"]
        if not OnboardingCase.objects.filter(organisation=bank_a).exists():
            now = timezone.now()
            # Demo Bank A was in the portal before onboarding was: its case starts as submitted.
            case = OnboardingCase.objects.create(
                reference=reference_next(prefix="OB", year=timezone.localtime(now).year),
                organisation=bank_a, registered_by=bank_a_admin, registrant_verified_at=now,
                test_endpoints=["api.test.bank-a.example.com"])
            case = ob.onboarding_verify(case=case, by=bits)
            ob.terms_sign(terms=terms, by=bank_a_admin, maskinporten_accepted=True)
            case = ob.onboarding_order_test(case=case, by=bits)
            case = ob.onboarding_grant_test(case=case, by=lk)
            case = ob.onboarding_report_test_done(case=case, by=bank_a_admin)
            case = ob.onboarding_approve_test(case=case, by=bits)
            case = ob.onboarding_confirm_readiness(
                case=case, by=bank_a_admin, production_endpoints=["api.bank-a.example.com"])
            case = ob.onboarding_grant_production(case=case, by=lk)
            ob.onboarding_confirm_routines(case=case, by=bank_a_admin)
        for environment, plaintext in data.DEMO_API_KEYS.items():
            if not ApiKey.objects.filter(key_hash=hash_key(plaintext)).exists():
                api_key_issue(organisation=bank_a, environment=environment, by=bank_a_admin,
                              plaintext=plaintext)

        spec = data.ONBOARDING_BANK
        if not OnboardingCase.objects.filter(organisation__orgnr=spec["orgnr"]).exists():
            email, name = spec["admin"]
            case = ob.onboarding_register(
                orgnr=spec["orgnr"], name=spec["name"], contact_points=spec["contact_points"],
                test_endpoints=spec["test_endpoints"], registrant_name=name,
                registrant_email=email)
            admin = case.registered_by
            ob.registrant_verify(case=case, user=admin, password=data.DEMO_PASSWORD,
                                 token=default_token_generator.make_token(admin))
            case = ob.onboarding_verify(case=case, by=bits)
            membership_set_signing_authority(membership=admin.membership, by=admin,
                                             can_sign=True)
            admin.membership.refresh_from_db()
            ob.terms_sign(terms=terms, by=admin, maskinporten_accepted=True)
            case.refresh_from_db()
            ob.onboarding_order_test(case=case, by=bits)
        seeded = OutboxMessage.objects.all()
        if last_outbox is not None:
            seeded = seeded.filter(pk__gt=last_outbox)
        seeded.delete()

    def print_onboarding(self):
        from onboarding.models import OnboardingCase

        self.stdout.write("Onboarding:")
        for case in OnboardingCase.objects.select_related("organisation").order_by("reference"):
            self.stdout.write(f"  {case.reference}  {case.organisation.name:<24} "
                              f"{case.get_status_display()}")
        email, _name = data.ONBOARDING_BANK["admin"]
        self.stdout.write(f"  {email} logs in to {data.ONBOARDING_BANK['name']} (admin).")
        self.stdout.write("Demo Bank A's API keys (header ApiKey):")
        for environment, plaintext in data.DEMO_API_KEYS.items():
            self.stdout.write(f"  {environment:<11} {plaintext}")
        self.stdout.write("-" * 72)
