"""E.3 on the record: Fagutvalget recommends, Referansegruppe Bank decides whether the request
goes to Lånekassen, Lånekassen decides (accepted with a planned release, rejected, deferred to
a date) and delivers — in test, then in production, each delivery preparing a change notice
(B.1) for Lånekassen to publish. Every step is a GovernanceDecision row and one transition."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from casework.errors import DomainError
from casework.models import Environment
from casework.runner import SYSTEM, Tell, lazy_title, require_text, transition_run
from notices.services.preparing import change_notice_prepare

from ..models import ChangeRequest, GovernanceDecision, Part, Status
from . import audience
from .checks import required_date, scale_1_to_5

Step = GovernanceDecision.Step
Outcome = GovernanceDecision.Outcome


def _record(case, by, **fields):
    return GovernanceDecision.objects.create(
        request=case, recorded_by=by if getattr(by, "is_authenticated", False) else None,
        **fields)


def _told(extra=None, title=""):
    """Followers and supporters, and `extra()` (Bits, Lånekassen) — each person once."""
    def tell(case):
        people = audience.audience(case)
        tells = [Tell(people, title)]
        if extra is not None:
            seen = {u.pk for u in people}
            tells.append(Tell([u for u in extra() if u.pk not in seen], title, event="staff"))
        return tells

    return tell


def change_request_forum_recommend(*, request, by, decided_on, recommended, rationale):
    """Bits records Fagutvalget's recommendation (the meeting date, recommended or not, and
    why).

    Side effects: status recommended, a GovernanceDecision, audit, followers told.
    """
    decided_on = required_date(decided_on, _("Oppgi datoen for Fagutvalgets møte."),
                                "decided_on")
    rationale = require_text(rationale, _("Skriv Fagutvalgets begrunnelse."), field="rationale")
    outcome = Outcome.RECOMMENDED if recommended else Outcome.NOT_RECOMMENDED
    return transition_run(
        case=request, by=by, name="forum_recommend", verb="forum_recommended",
        hook=lambda case: _record(case, by, step=Step.FORUM, outcome=outcome,
                                  decided_on=decided_on, rationale=rationale),
        data={"outcome": outcome, "decided_on": decided_on.isoformat()},
        tell=_told(title=gettext_lazy("Fagutvalget har gitt sin anbefaling")))


def change_request_reference_group_decide(*, request, by, decided_on, forward, rationale):
    """Bits records Referansegruppe Bank's decision: the request goes to Lånekassen, or not.

    Side effects: status with_lanekassen or not_forwarded, a GovernanceDecision, audit,
    followers told (and Lånekassen, when it is sent on).
    """
    decided_on = required_date(decided_on, _("Oppgi datoen for Referansegruppe Banks vedtak."),
                                "decided_on")
    rationale = require_text(rationale, _("Skriv Referansegruppe Banks begrunnelse."),
                             field="rationale")
    outcome = Outcome.FORWARDED if forward else Outcome.NOT_FORWARDED
    return transition_run(
        case=request, by=by, name="forward" if forward else "not_forward",
        verb="forwarded" if forward else "not_forwarded",
        hook=lambda case: _record(case, by, step=Step.REFERENCE_GROUP, outcome=outcome,
                                  decided_on=decided_on, rationale=rationale),
        data={"decided_on": decided_on.isoformat()},
        tell=_told(audience.lanekassen_users if forward else None,
                   gettext_lazy("Sendt til Lånekassen for beslutning") if forward
                   else gettext_lazy("Referansegruppe Bank sender ikke endringsønsket videre")))


def _decision_common(decided_on, rationale, message):
    decided_on = decided_on or timezone.localdate()
    rationale = require_text(rationale, message, field="rationale")
    return decided_on, rationale


def change_request_accept(*, request, by, planned_release, rationale, decided_on=None,
                          impact=None, effort=None):
    """Lånekassen accepts the change for a planned release (required), with its assessment of
    the impact on the banks and the effort (1–5).

    Side effects: status accepted, planned_release (and effort), a GovernanceDecision, audit,
    followers and Bits told.
    """
    release = require_text(planned_release, _("Oppgi hvilken release endringen er planlagt i."),
                           field="planned_release")
    decided_on, rationale = _decision_common(decided_on, rationale,
                                             _("Skriv begrunnelsen for beslutningen."))
    impact, effort = scale_1_to_5(impact, "impact"), scale_1_to_5(effort, "effort")

    def hook(case):
        if effort is not None:
            case.effort = effort
        _record(case, by, step=Step.LANEKASSEN, outcome=Outcome.ACCEPTED, decided_on=decided_on,
                rationale=rationale, planned_release=release, impact=impact, effort=effort)

    return transition_run(case=request, by=by, name="accept", verb="accepted", args=(release,),
                          hook=hook, data={"planned_release": release},
                          tell=_told(audience.bits_users,
                                     lazy_title(gettext_noop("Akseptert, planlagt i %(r)s"),
                                                r=release)))


def change_request_reject(*, request, by, rationale, decided_on=None):
    """Lånekassen rejects the change; the reason is required.

    Side effects: status rejected, a GovernanceDecision, audit, followers and Bits told.
    """
    decided_on, rationale = _decision_common(decided_on, rationale,
                                             _("Skriv hvorfor endringen avvises."))
    return transition_run(
        case=request, by=by, name="reject", verb="rejected",
        hook=lambda case: _record(case, by, step=Step.LANEKASSEN, outcome=Outcome.REJECTED,
                                  decided_on=decided_on, rationale=rationale),
        tell=_told(audience.bits_users, gettext_lazy("Lånekassen har avvist endringen")))


def change_request_defer(*, request, by, until, rationale, decided_on=None):
    """Lånekassen defers its decision until a date (required); on that date the request comes
    back to it by itself (`change_requests_resume_due`).

    Side effects: status deferred, deferred_until, a GovernanceDecision, audit, followers and
    Bits told.
    """
    until = required_date(until, _("Oppgi datoen saken skal tas opp igjen."), "deferred_until")
    decided_on, rationale = _decision_common(decided_on, rationale,
                                             _("Skriv hvorfor beslutningen utsettes."))
    if until <= timezone.localdate():
        raise DomainError(_("Datoen må være etter i dag."), field="deferred_until")
    return transition_run(
        case=request, by=by, name="defer", verb="deferred", args=(until,),
        hook=lambda case: _record(case, by, step=Step.LANEKASSEN, outcome=Outcome.DEFERRED,
                                  decided_on=decided_on, rationale=rationale,
                                  deferred_until=until),
        data={"until": until.isoformat()},
        tell=_told(audience.bits_users,
                   lazy_title(gettext_noop("Utsatt til %(d)s"), d=until.strftime("%d.%m.%Y"))))


def change_requests_resume_due(*, today=None):
    """Deferred requests whose date has come go back to Lånekassen for a decision (beat task,
    as the portal itself). Returns how many moved.

    Side effects: per request status with_lanekassen, audit, Lånekassen and followers told.
    """
    today = today or timezone.localdate()
    moved = 0
    for request in ChangeRequest.objects.filter(status=Status.DEFERRED,
                                                deferred_until__lte=today):
        try:
            transition_run(case=request, by=SYSTEM, name="resume", verb="resumed",
                           tell=_told(audience.lanekassen_users,
                                      gettext_lazy("Utsettelsen er over: til ny vurdering")))
        except DomainError:
            continue  # decided meanwhile
        moved += 1
    return moved


def change_request_start_development(*, request, by, note=""):
    """Lånekassen starts developing an accepted change.

    Side effects: status in_development, a GovernanceDecision, an optional public message,
    audit, followers told.
    """
    return transition_run(
        case=request, by=by, name="start_development", verb="development_started",
        hook=lambda case: _record(case, by, step=Step.DEVELOPMENT, outcome=Outcome.STARTED,
                                  decided_on=timezone.localdate(),
                                  planned_release=case.planned_release,
                                  rationale=(note or "").strip()),
        message=(note or "").strip() or None,
        tell=_told(title=gettext_lazy("Under utvikling")))


# The notice component a request's part most likely touches; Lånekassen adjusts the draft.
PART_COMPONENT = {Part.CONSENT: "Altinn samtykke", Part.PORTAL: "Forvaltningsportalen"}
DEFAULT_COMPONENT = "Saldo-API-et"


def _prepare_notice(case, by, environment, delivered_on, note):
    """A draft change notice (B.1) for the environment, for Lånekassen to review and publish."""
    in_test = environment == Environment.TEST
    where = _("testmiljøet") if in_test else _("produksjonsmiljøet")
    url = f"{settings.SITE_URL}{case.get_absolute_url()}"
    body = "\n\n".join(part for part in [
        _("Endringen «%(title)s» er levert i %(where)s fra %(date)s.") % {
            "title": case.title, "where": where, "date": delivered_on.strftime("%d.%m.%Y")},
        case.proposal, (note or "").strip(),
        _("Endringsønske: [%(ref)s](%(url)s)") % {"ref": case.reference, "url": url},
    ] if part)
    title = _("Endring i %(where)s: %(title)s") % {"where": where, "title": case.title}
    return change_notice_prepare(
        by=by, environment=environment, title=title[:200], body=body, effective_on=delivered_on,
        component_names=[PART_COMPONENT.get(case.part, DEFAULT_COMPONENT)])


def change_request_deliver(*, request, by, environment, note="", delivered_on=None):
    """Lånekassen marks the change delivered in test, then in production. Each delivery
    prepares a draft change notice for that environment (notices' own service), linked from
    the decision row, for Lånekassen to publish.

    Side effects: status in_test or in_production, a draft Notice, a GovernanceDecision with
    the notice's id, an optional public message, audit, followers and supporters told.
    """
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."), field="environment")
    delivered_on = delivered_on or timezone.localdate()
    in_test = environment == Environment.TEST
    data = {"environment": environment}

    def hook(case):
        notice = _prepare_notice(case, by, environment, delivered_on, note)
        _record(case, by, step=Step.TEST if in_test else Step.PRODUCTION,
                outcome=Outcome.DELIVERED, decided_on=delivered_on,
                planned_release=case.planned_release, rationale=(note or "").strip(),
                notice_id=notice.pk, notice_reference=notice.reference)
        data["notice"] = notice.reference

    return transition_run(
        case=request, by=by, name="deliver_test" if in_test else "deliver_production",
        verb="delivered_test" if in_test else "delivered_production", hook=hook, data=data,
        message=(note or "").strip() or None,
        tell=_told(title=gettext_lazy("Levert i test") if in_test
                   else gettext_lazy("Levert i produksjon")))
