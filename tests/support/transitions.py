"""The shared transition matrix: every case type's transitions, tried by every persona.

A case type's test module declares its transitions once and gets three parametrised tests:

    MATRIX = TransitionMatrix(model=ErrorReport, transitions={
        "take": Transition(build=_new, call=lambda case, user: services.incident_take(...),
                           allowed={"bits"}, verb="taken", from_state=Status.NEW,
                           to_state=Status.IN_PROGRESS, told={"bank_member"}),
        ...
    })
    test_allowed_persona_moves_the_case, test_refused_persona_changes_nothing, \\
        test_rolled_back_transition_dispatches_nothing = MATRIX.tests()

- allowed persona: the status moves, one audit event (verb, from, to, actor), an outbox row
  and an in-portal notification for exactly the personas `told`, sent only after commit;
- refused persona: a DomainError, and nothing in the database changes (the case row, audit,
  messages, attachments, notifications, outbox);
- rolled back: the outbox rows are written inside the transaction, and nothing is dispatched
  or sent once it rolls back.

`build(personas)` makes a case in the starting state through the services; `told` and
`allowed` name keys of the `personas` fixture (extra personas can come from a fixture named
by `personas_fixture`).

Optional: `extra_snapshot()` returns more state a refused or rolled-back call must leave as it
was (a case type's own rows: signatures, API access); `case_events_only=True` looks for the
one audit event among the case's own, for a case type whose services also audit other objects
(onboarding's grants audit the bank in `balances`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from casework.errors import DomainError
from casework.models import Attachment, AuditEvent, Message
from notifications.models import Notification, OutboxMessage

from .transactions import rolled_back

PERSONAS = ("bank_member", "bank_admin", "other_bank", "bits", "lanekassen")


@dataclass(frozen=True)
class Transition:
    build: Callable
    call: Callable
    allowed: set
    verb: str
    from_state: str = ""
    to_state: str = ""
    told: set = field(default_factory=set)


def snapshot(model, case, extra=None):
    """Everything a refused call must leave as it was (`extra()`: more of it, as a dict)."""
    return {
        **(extra() if extra is not None else {}),
        "case": model.objects.filter(pk=case.pk).values().get(),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "messages": list(Message.objects.values_list("pk", flat=True)),
        "attachments": list(Attachment.objects.values_list("pk", flat=True)),
        "notifications": list(Notification.objects.values_list("pk", flat=True)),
        "outbox": list(OutboxMessage.objects.values_list("pk", flat=True)),
    }


def _new_rows(model, before_ids):
    return model.objects.exclude(pk__in=before_ids)


@dataclass
class TransitionMatrix:
    model: type
    transitions: dict
    personas: tuple = PERSONAS
    personas_fixture: str = "personas"
    extra_snapshot: Callable | None = None
    case_events_only: bool = False

    def allowed_pairs(self):
        return [(n, w) for n, t in self.transitions.items() for w in self.personas
                if w in t.allowed]

    def refused_pairs(self):
        return [(n, w) for n, t in self.transitions.items() for w in self.personas
                if w not in t.allowed]

    def assert_allowed(self, personas, capture, name, who):
        t = self.transitions[name]
        case = t.build(personas)
        before = snapshot(self.model, case, self.extra_snapshot)
        mail.outbox.clear()

        with capture(execute=True) as callbacks:
            t.call(case, personas[who])

        case = self.model.objects.get(pk=case.pk)
        assert case.status == (t.to_state or before["case"]["status"])
        events = _new_rows(AuditEvent, before["audit"])
        if self.case_events_only:
            events = events.filter(content_type=ContentType.objects.get_for_model(case),
                                   object_id=case.pk)
        event = events.get()
        assert (event.verb, event.from_state, event.to_state, event.actor) == (
            t.verb, t.from_state, t.to_state, personas[who])
        recipients = {personas[n].email for n in t.told}
        outbox = _new_rows(OutboxMessage, before["outbox"])
        assert {m.to for m in outbox} == recipients
        assert all(m.subject.startswith(case.reference) for m in outbox)
        # Keys come from the audit event: a retried service cannot queue the same mail twice.
        assert all(f":{event.pk}:" in m.key for m in outbox)
        notified = _new_rows(Notification, before["notifications"])
        assert {n.recipient.email for n in notified} == recipients
        assert all(n.url == case.get_absolute_url() for n in notified)
        if recipients:
            assert callbacks  # sent only once the transaction committed ...
        assert sorted(to for m in mail.outbox for to in m.to) == sorted(recipients)  # ... once
        assert set(outbox.values_list("status", flat=True)) <= {OutboxMessage.Status.SENT}

    def assert_refused(self, personas, name, who):
        t = self.transitions[name]
        case = t.build(personas)
        before = snapshot(self.model, case, self.extra_snapshot)

        with pytest.raises(DomainError):
            t.call(case, personas[who])

        assert snapshot(self.model, case, self.extra_snapshot) == before

    def assert_rolled_back(self, personas, capture, name):
        t = self.transitions[name]
        case = t.build(personas)
        before = snapshot(self.model, case, self.extra_snapshot)
        mail.outbox.clear()

        with rolled_back(capture):
            t.call(case, personas[sorted(t.allowed)[0]])
            if t.told:
                assert _new_rows(OutboxMessage, before["outbox"]).exists()  # written in the tx

        assert mail.outbox == []
        assert snapshot(self.model, case, self.extra_snapshot) == before

    def tests(self):
        """The three parametrised test functions, to assign to names in a test module."""
        matrix = self
        allowed, refused = self.allowed_pairs(), self.refused_pairs()
        fixture = self.personas_fixture

        @pytest.mark.django_db
        @pytest.mark.parametrize(("name", "who"), allowed, ids=[f"{n}-{w}" for n, w in allowed])
        def test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit(
                request, django_capture_on_commit_callbacks, name, who):
            matrix.assert_allowed(request.getfixturevalue(fixture),
                                  django_capture_on_commit_callbacks, name, who)

        @pytest.mark.django_db
        @pytest.mark.parametrize(("name", "who"), refused, ids=[f"{n}-{w}" for n, w in refused])
        def test_refused_persona_gets_domain_error_and_nothing_changes(request, name, who):
            matrix.assert_refused(request.getfixturevalue(fixture), name, who)

        @pytest.mark.django_db
        @pytest.mark.parametrize("name", list(self.transitions))
        def test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing(
                request, django_capture_on_commit_callbacks, name):
            matrix.assert_rolled_back(request.getfixturevalue(fixture),
                                      django_capture_on_commit_callbacks, name)

        return (test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
                test_refused_persona_gets_domain_error_and_nothing_changes,
                test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing)
