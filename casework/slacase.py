"""What every case type on `SlaCase` (error reports, questions) does the same way, beyond the
model: its services, each one call of the runner (`casework.runner`), and its reads.

Services:
- a Bits handler takes the case (`sla_case_take`), or gives it to another (`sla_case_assign`);
- Bits asks the bank for more and the clocks stand still (`sla_case_request_info`) until the
  bank answers (`sla_case_bank_reply`): the due times move by the business time waited;
- a reply or note on the timeline (`sla_case_comment`): a bank's message on a case waiting for
  it *is* its answer, decided on the locked row; a public message from Bits or Lånekassen is
  the first response;
- a resolved case closes by itself after five quiet working days (`sla_case_auto_close_due`,
  run by a beat task as `SYSTEM`).
A case type's own services call these with its texts (what the bank is told); its transitions
(`take`, `request_info`, `bank_reply`, `auto_close`) keep the fields, with the model's
`first_response_mark`, `clock_pause` and `clock_resume`.

Reads: the list's filter (`sla_filter`), Bits' queue (`sla_queue_order`, paged by `SlaQueue`),
a list page with each row's clocks (`sla_list_page`, `sla_rows`), the handlers a case may be
given to (`sla_handlers`) and the cases waiting for the viewer's side on the home page
(`sla_waiting`).
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.permissions import is_bits, is_lanekassen, is_staff_side
from accounts.selectors import users_in_org_kind

from .actions import CaseAction
from .errors import DomainError
from .models import Message
from .permissions import is_case_bank, message_visibilities
from .queue import case_reassign, queue_narrow, queue_options, queue_tools, risk_tag
from .recipients import bank_people, bits_handlers, tell_bank, tell_bits
from .runner import SYSTEM, Tell, case_lock, case_update, require_text, transition_run
from .sla import calendar_get, clock_most_at_risk, sla_clocks, sla_targets_map

AUTO_CLOSE_WORKING_DAYS = 5
PAGE_SIZE = 25


def sla_case_take(*, case, by, title):
    """A Bits handler takes the case. Side effects: assignee set, first response (the bank is
    told `title`: Bits has picked it up), audit, bank notified."""
    return transition_run(case=case, by=by, name="take", verb="taken",
                          args=(by, timezone.now()), tell=tell_bank(title))


def sla_case_request_info(*, case, by, message):
    """Bits asks the bank for more information; the clocks pause until the bank answers.

    Side effects: a public message, first response, audit, bank notified.
    """
    message = require_text(message, _("Skriv hva banken må svare på."))
    return transition_run(case=case, by=by, name="request_info", verb="info_requested",
                          args=(by, timezone.now()), message=message,
                          tell=tell_bank(gettext_lazy("Bits trenger mer informasjon")))


def request_info_action(service):
    """The case page's "ask the bank for more" (`casework.actions`), calling the case type's
    `service(case, user, text)`."""
    return CaseAction(name="request_info", label=gettext_lazy("Be banken om mer informasjon"),
                      prompt=gettext_lazy("Hva trenger dere fra banken? (synlig for banken)"),
                      service=service)


def sla_case_bank_reply(*, case, by, message, files=()):
    """The bank answers what Bits asked: the case returns to Bits and the clocks run again.

    Side effects: a public message with attachments, due times moved by the pause, audit (with
    the business seconds the bank was waited for), Bits notified.
    """
    message = require_text(message, _("Skriv et svar."), field="body")
    now = timezone.now()
    pause = {}

    def waited(locked):
        # Measured on the locked row: the pause began when Bits last asked.
        since = locked.paused_since
        pause["seconds"] = int(calendar_get().between(since, now).total_seconds()) if since else 0
        return (pause["seconds"],)

    return transition_run(case=case, by=by, name="bank_reply", verb="bank_replied",
                          args=waited, hook=lambda locked: locked.due_times_refresh(),
                          data=lambda locked: {"paused_seconds": pause["seconds"]},
                          message=message, files=files,
                          tell=tell_bits(gettext_lazy("Banken har svart")))


def sla_case_comment(*, case, by, body, visibility=Message.Visibility.PUBLIC, files=(),
                     allowed, denied, tells):
    """A reply or internal note on the timeline. A bank's message on a case waiting for it is
    its answer (`sla_case_bank_reply`); otherwise it is a message, and a public one from Bits
    or Lånekassen counts as the first response. `allowed(case, by)` says who may write (on the
    locked row; the others are told `denied`), `tells(case, by, visibility)` who hears of it.

    Side effects: a message (and attachments), the other side notified. No audit event: the
    message is the record. Returns the message (the case, for a bank's answer).
    """
    body = require_text(body, _("Skriv en melding."), field="body")
    if visibility not in message_visibilities(by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."), field="visibility")
    with transaction.atomic():
        # Decide on the locked row, not on the page the writer loaded: Bits may have asked
        # the bank since (the answer must resume the clock), or the case may have closed.
        case = case_lock(case)
        if case.status == case.AWAITING_BANK and is_case_bank(case, by):
            return sla_case_bank_reply(case=case, by=by, message=body, files=files)
        now = timezone.now()

        def first_response(locked):
            if visibility == Message.Visibility.PUBLIC and is_staff_side(by):
                locked.first_response_mark(now)

        _case, message = case_update(
            case=case, by=by, allowed=allowed, verb="commented", audit=False, denied=denied,
            change=first_response, message=body, visibility=visibility, files=files,
            tell=lambda locked: tells(locked, by, visibility))
    return message


def sla_case_assign(*, case, by, to, title):
    """Bits gives an open case to another Bits handler (or takes it over).

    Side effects: the assignee changed (the status stays), an audit event ("assigned"), the
    new handler notified (`title`; portal + e-mail)."""
    return case_reassign(case=case, by=by, to=to,
                         allowed=lambda locked, user: is_bits(user) and locked.is_open,
                         may_handle=is_bits, title=title)


def sla_case_auto_close(*, case, by, title, at=None):
    """Close a resolved case after its quiet period. Only the portal (`SYSTEM`) may.

    Side effects: status closed, audit (no person), the bank and Bits notified (`title`).
    """
    return transition_run(
        case=case, by=by, name="auto_close", verb="auto_closed", args=(at or timezone.now(),),
        tell=lambda locked: [Tell(bank_people(locked) + bits_handlers(locked), title)])


def sla_case_auto_close_due(*, model, title, now=None):
    """Close every case of `model` resolved more than five working days ago without a reply.

    A public message after the resolution (a "thanks, but…" from the bank) restarts the quiet
    period. Side effects per case: as `sla_case_auto_close`. Returns how many closed.
    """
    now = now or timezone.now()
    calendar = calendar_get()
    resolved_at = model.resolved_at_field
    last_public = (Message.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"), visibility=Message.Visibility.PUBLIC)
        .order_by("-created_at").values("created_at")[:1])
    candidates = (model.objects.filter(status=model.resolved_status,
                                       **{f"{resolved_at}__isnull": False})
                  .annotate(last_public=Subquery(last_public)))
    closed = 0
    for pk, resolved, last_reply in candidates.values_list("pk", resolved_at, "last_public"):
        quiet_since = max(resolved, last_reply) if last_reply else resolved
        if calendar.add_working_days(quiet_since, AUTO_CLOSE_WORKING_DAYS) > now:
            continue
        try:
            sla_case_auto_close(case=model(pk=pk), by=SYSTEM, title=title, at=now)
        except DomainError:
            continue  # reopened or closed since the list was read: nothing to do
        closed += 1
    return closed


CLOSED_RANK = 4
# The id last, so that cases due and made at the same moment keep their place between pages.
QUEUE_ORDER = ("queue_rank", "resolution_due", "-created_at", "-pk")


def _queue_rank(model, now):
    # Waiting for the bank stops the clock: its stored due times have not moved yet, but it
    # is neither at risk nor breached while it waits.
    open_statuses = list(model.open_statuses)
    running = [s for s in open_statuses if s != model.AWAITING_BANK]
    return Case(
        When(status=model.NEW, then=Value(0)),
        When(assignee__isnull=True, status__in=open_statuses, then=Value(1)),
        When(Q(status__in=running) & (
            Q(first_response_at__isnull=True, first_response_due__lte=now + timedelta(hours=1))
            | Q(resolution_due__lte=now + timedelta(hours=4))), then=Value(2)),
        When(status__in=open_statuses, then=Value(3)),
        default=Value(CLOSED_RANK), output_field=IntegerField(),
    )


def sla_queue_order(qs, *, now=None):
    """Bits' queue of an `SlaCase` type: new first, then unassigned, then those whose SLA is
    breached or at risk, then by resolution due time (newest first among those due at once);
    closed cases last."""
    return (qs.annotate(queue_rank=_queue_rank(qs.model, now or timezone.now()))
            .order_by(*QUEUE_ORDER))


class SlaQueue:
    """`sla_queue_order(qs)` as the paginator pages it, at a cost that does not grow with the
    closed history.

    The rank depends on the clock, so no index can hold the order. But only open cases have a
    rank below CLOSED_RANK, and those are few; the closed ones, which grow without end, all
    share the last rank and follow in due-time order, which an index can hold (error reports'
    `incident_closed_by_due`). So a page's ids come from one statement, the open cases by rank
    merged with the closed ones read in due-time order, stopping at the page's end; then the
    page's rows with their joins. Three queries a page (count, ids, rows), however many cases
    there are.
    """

    ordered = True  # for the paginator: this sequence has a stable order

    def __init__(self, qs, *, now=None):
        self.qs = qs
        self.now = now or timezone.now()

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def _ids(self, end):
        """The page's (rank, due, created, id) rows up to `end`: the open cases by rank and
        the closed ones in due-time order, each branch cut at `end` where the database allows
        it (PostgreSQL; SQLite sorts the whole union)."""
        model = self.qs.model
        columns = ("queue_rank", "resolution_due", "created_at", "pk")
        bare = self.qs.order_by()
        open_part = (bare.filter(status__in=model.open_statuses)
                     .annotate(queue_rank=_queue_rank(model, self.now)).values_list(*columns))
        # The same condition as the closed cases' partial index, so that it is used.
        closed_part = (bare.filter(status__in=model.closed_statuses)
                       .annotate(queue_rank=Value(CLOSED_RANK, output_field=IntegerField()))
                       .values_list(*columns))
        if connection.features.supports_slicing_ordering_in_compound:
            open_part = open_part.order_by(*QUEUE_ORDER)[:end]
            closed_part = closed_part.order_by(*QUEUE_ORDER[1:])[:end]
        return open_part.union(closed_part, all=True).order_by(*QUEUE_ORDER)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key:key + 1][0]
        if key.step is not None or key.stop is None:
            raise TypeError("the queue is paged by slices with an end")
        if key.stop <= (key.start or 0) or self.qs.query.is_empty():
            return []  # the paginator's page of an empty queue
        ids = [row[-1] for row in self._ids(key.stop)[key]]
        rows = self.qs.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids]


def sla_rows(cases, *, now=None):
    """A list page's rows of `SlaCase`s: each case with its clocks and its risk tag. Two
    queries (the calendar, the targets), however many rows."""
    cases = list(cases)
    if not cases:
        return []
    calendar, now = calendar_get(), now or timezone.now()
    targets = sla_targets_map(process=cases[0].sla_process)
    rows = []
    for case in cases:
        clocks = sla_clocks(case=case, calendar=calendar, targets_map=targets, now=now)
        rows.append({"case": case, "sla": clocks, "risk": risk_tag(clocks)})
    return rows


def sla_handlers(user):
    """Whom `user` may give cases with a handler at Bits to: Bits' handlers, for Bits; nobody
    else."""
    handlers = users_in_org_kind(Organisation.Kind.BITS)
    if not is_bits(user):
        return handlers.none()
    return handlers.order_by("name", "email")


def sla_filter(qs, *, status=None, organisation=None, **fields):
    """`qs` narrowed by a list's filter: `status` ("open": every open status), the bank, and
    exact values of the case type's own `fields` (severity, category, ...); empty ones are
    left out."""
    if status == "open":
        qs = qs.filter(status__in=qs.model.open_statuses)
    elif status:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    return qs.filter(**{name: value for name, value in fields.items() if value})


def sla_list_page(request, qs, ct):
    """What a list page of an `SlaCase` type shows above and in its table: for Bits the queue
    (new first, then unassigned, then at risk; `SlaQueue`) with its work tools, for
    Lånekassen the same order, for a bank its own cases newest first; a page of rows, each
    case with its clocks and risk tag (`sla_rows`), and the query string the pages link with.
    """
    user = request.user
    options = queue_options(request)
    if is_bits(user):
        qs = queue_narrow(qs, options, user=user)
    if is_staff_side(user) and not options.by_deadline:
        qs = SlaQueue(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    query = query.urlencode()
    return {"page": page, "rows": sla_rows(page.object_list), "query": query,
            "is_queue": is_bits(user),
            "tools": queue_tools(request, ct, query=query) if is_bits(user) else None}


WAITING_LIMIT = 50


def sla_waiting(qs, *, user, waiting_for, process_label):
    """The cases of `qs` (those `user` may see) waiting for the viewer's side, for the home
    page (see `templates/dashboard.html`), with their most pressing SLA clock for Bits.
    `waiting_for` says whose move each status is: {"bank": [...], "bits": [...],
    "lanekassen": [...]}."""
    side = "bits" if is_bits(user) else "lanekassen" if is_lanekassen(user) else "bank"
    cases = list(qs.filter(status__in=waiting_for[side]).select_related("organisation")
                 .order_by("status_changed_at", "pk")[:WAITING_LIMIT])
    calendar = calendar_get() if side == "bits" and cases else None
    targets = sla_targets_map(process=qs.model.sla_process) if calendar else None
    now = timezone.now()
    items = []
    for case in cases:
        clock = (clock_most_at_risk(sla_clocks(case=case, calendar=calendar,
                                               targets_map=targets, now=now))
                 if calendar else None)
        items.append({"url": case.get_absolute_url(), "process": process_label,
                      "label": case.reference if side == "bank"
                      else f"{case.reference} {case.organisation.name}",
                      "text": f"{case.headline()} ({case.get_status_display()})",
                      "since": case.status_changed_at, "due": clock.due if clock else None,
                      "sla": clock})
    return items
