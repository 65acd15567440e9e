import json
import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organisation
from balances import conf, testissuer
from balances.fnr import fnr_is_valid
from balances.services import api_key_demo_get_or_issue
from casework.errors import DomainError


class Command(BaseCommand):
    help = ("Print, as one JSON object, headers that make a valid call to the test environment "
            "of the Saldo API right now (tokens from the local test issuer). Options give the "
            "error paths.")

    def add_arguments(self, parser):
        parser.add_argument("--orgnr", required=True, help="the bank's organisation number")
        parser.add_argument("--fnr", required=True, help="the customer's fødselsnummer (PSU_ID)")
        parser.add_argument("--api-key", help="a test API key of the bank (default: the bank's "
                                              "demo key, created on first use)")
        parser.add_argument("--expired", action="store_true",
                            help="a Maskinporten token that has expired")
        parser.add_argument("--wrong-scope", action="store_true",
                            help="a Maskinporten token without the Saldo scope")
        parser.add_argument("--consent-for", metavar="FNR",
                            help="a consent given by another person")
        parser.add_argument("--altinn3", action="store_true",
                            help="the consent inside the Maskinporten token (no Consent-ID)")

    def handle(self, *args, orgnr, fnr, api_key=None, expired=False, wrong_scope=False,
               consent_for=None, altinn3=False, **options):
        if not conf.test_issuer_enabled():
            raise CommandError("The local test issuer is disabled here "
                               "(SALDO_TEST_ISSUER_ENABLED is off or the test environment is "
                               "not served).")
        if not fnr_is_valid(fnr):
            raise CommandError(f"Not a valid fødselsnummer: {fnr}")
        if consent_for and not fnr_is_valid(consent_for):
            raise CommandError(f"Not a valid fødselsnummer: {consent_for}")
        organisation = Organisation.objects.filter(orgnr=orgnr).first()
        if organisation is None:
            raise CommandError(f"No organisation with orgnr {orgnr}.")
        if not api_key:
            try:
                _key, api_key = api_key_demo_get_or_issue(organisation=organisation)
            except DomainError as exc:
                raise CommandError(f"{exc} (or pass --api-key)") from None

        consenting = consent_for or fnr
        token_args = {"orgnr": orgnr}
        if expired:
            token_args["issued_at"] = timezone.now() - timedelta(minutes=10)
        if wrong_scope:
            token_args["scope"] = "lanekassen:lan/v1/annet"
        if altinn3:
            token_args["authorization_details"] = [
                testissuer.altinn3_consent(fnr=consenting, orgnr=orgnr)]
        headers = {"ApiKey": api_key,
                   "Authorization": testissuer.maskinporten_token(**token_args)}
        if not altinn3:
            headers["Consent-ID"] = testissuer.consent_token(fnr=consenting, orgnr=orgnr)
        headers["PSU_ID"] = fnr
        headers["X-Request-Id"] = str(uuid.uuid4())
        self.stdout.write(json.dumps(headers, ensure_ascii=False))
