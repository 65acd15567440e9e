"""C.3: a breach at Lånekassen, told to Bits and the affected banks' security contacts, each
bank acknowledging (notifications' acknowledgements, with reminders); a bank sees only the
C.3 cases it is among the affected of."""

import pytest
from django.core import mail
from django.http import Http404

from accounts.models import Membership
from casework.errors import DomainError
from incidents.breaches import reminders, selectors, services
from notifications.models import Acknowledgement
from tests.factories import member_of
from tests.incidents.breaches.conftest import facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_contact(other_bank):
    user = member_of(other_bank, email="sikkerhet@bank-b.example.com")
    Membership.objects.filter(user=user).update(is_security_contact=True)
    user.membership.refresh_from_db()
    return user


def _register(lk_user, banks):
    return services.breach_register_at_lanekassen(by=lk_user, facts=facts(), scope="chosen",
                                                  organisations=banks)


def test_affected_banks_security_contacts_and_bits_are_told_and_asked_to_acknowledge(
        lk_user, bits_user, bank, security_contact, bank_member, other_contact,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        breach = _register(lk_user, [bank])
    told = {to for m in mail.outbox for to in m.to}
    assert told == {bits_user.email, security_contact.email}
    assert breach.status == "received"
    assert list(Acknowledgement.objects.values_list("organisation_id", flat=True)) == [bank.pk]


def test_bank_sees_only_the_c3_cases_it_is_affected_by(lk_user, bank, security_contact,
                                                        other_contact, bank_member):
    breach = _register(lk_user, [bank])
    assert selectors.breach_get_for_user(user=security_contact, reference=breach.reference)
    for outsider in (other_contact, bank_member):
        with pytest.raises(Http404):
            selectors.breach_get_for_user(user=outsider, reference=breach.reference)


def test_bank_acknowledges_once_and_reminders_go_only_to_those_who_have_not(
        lk_user, bank, other_bank, security_contact, other_contact):
    breach = _register(lk_user, [bank, other_bank])
    reminders.breach_acknowledge(breach=breach, by=security_contact)
    with pytest.raises(DomainError):
        reminders.breach_acknowledge(breach=breach, by=security_contact)
    mail.outbox.clear()
    assert reminders.breach_acknowledgement_remind(
        subject_id=breach.pk, organisation_ids=[bank.pk, other_bank.pk],
        now=breach.created_at) == 1
    ack = Acknowledgement.objects.get(organisation=other_bank)
    assert ack.reminders_sent == 1 and ack.acknowledged_at is None


def test_choosing_no_bank_is_refused_on_its_field(lk_user):
    with pytest.raises(DomainError) as exc:
        _register(lk_user, [])
    assert exc.value.field == "affected_organisations"


def test_only_lanekassen_registers_a_breach_at_lanekassen(security_contact, bank):
    with pytest.raises(DomainError):
        _register(security_contact, [bank])
