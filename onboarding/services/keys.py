"""The bank's API keys, made by its admin once Lånekassen has granted access. The keys are
`balances`' (its services write them, its selectors read them); the step is recorded on the
bank's onboarding case. A key in clear is returned to the caller once and never stored or
logged."""

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from balances import selectors as balances_selectors
from balances import services as balances
from casework.errors import DomainError
from casework.models import Environment
from casework.runner import case_update

from .. import permissions as perms
from ..models import OnboardingCase

KEY_ROTATION_MAX_GRACE_DAYS = 7


def _record_on_case(organisation, by, verb, data):
    """The key event on the bank's case timeline (a bank from before onboarding has none)."""
    case = OnboardingCase.objects.filter(organisation=organisation).first()
    if case is not None:
        case_update(case=case, by=by, verb=verb, data=data,
                    allowed=lambda c, user: perms.can_manage_keys(user, c.organisation))


def _environment_label(environment):
    return Environment(environment).label.lower()


def bank_api_key_create(*, organisation, environment, by):
    """The bank's admin creates the API key for an environment Lånekassen has granted.
    Returns (ApiKey, key in clear): the caller shows it once and keeps it nowhere.

    Side effects: an ApiKey row with the hash only (balances), audit on the case.
    """
    if not perms.can_manage_keys(by, organisation):
        raise DomainError(_("Bare bankens administrator kan opprette API-nøkler."))
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    if not balances_selectors.api_access_active(organisation=organisation,
                                                environment=environment):
        raise DomainError(_("Banken har ikke aktiv tilgang til %(env)s.") % {
            "env": _environment_label(environment)})
    with transaction.atomic():
        # The bank's row is the lock: two admins clicking at once make one key.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if balances_selectors.api_key_usable_exists(organisation=organisation,
                                                    environment=environment):
            raise DomainError(_("Dere har allerede en gyldig nøkkel for %(env)s. Roter den "
                                "hvis dere trenger en ny.") % {
                                    "env": _environment_label(environment)})
        key, plaintext = balances.api_key_issue(organisation=organisation,
                                                environment=environment, by=by)
        _record_on_case(organisation, by, "api_key_created",
                        {"environment": environment, "prefix": key.prefix})
    return key, plaintext


def bank_api_key_rotate(*, key, by, grace_days):
    """Replace a key; the old one keeps working for `grace_days` (0–7) so the bank can switch
    without downtime. Returns (new ApiKey, new key in clear).

    Side effects: a new key and the old key's expiry (balances), audit on the case.
    """
    if not perms.can_manage_keys(by, key.organisation):
        raise DomainError(_("Bare bankens administrator kan rotere API-nøkler."))
    if not 0 <= grace_days <= KEY_ROTATION_MAX_GRACE_DAYS:
        raise DomainError(_("Overgangsperioden må være mellom 0 og 7 dager."),
                          field="grace_days")
    with transaction.atomic():
        new, plaintext = balances.api_key_rotate(key=key, by=by,
                                                 grace=timedelta(days=grace_days))
        _record_on_case(key.organisation, by, "api_key_rotated",
                        {"environment": key.environment, "old": key.prefix,
                         "new": new.prefix, "grace_days": grace_days})
    return new, plaintext


def bank_api_key_revoke(*, key, by):
    """Stop a key at once. Side effects: revoked_at (balances), audit on the case."""
    if not perms.can_manage_keys(by, key.organisation):
        raise DomainError(_("Bare bankens administrator kan trekke tilbake API-nøkler."))
    if key.revoked_at is not None:
        raise DomainError(_("Nøkkelen er allerede trukket tilbake."))
    with transaction.atomic():
        key = balances.api_key_revoke(key=key, by=by)
        _record_on_case(key.organisation, by, "api_key_revoked",
                        {"environment": key.environment, "prefix": key.prefix})
    return key
