"""Work tools every case queue shares: sort by deadline, "assigned to me", the risk tag of a
row, taking or assigning several cases at once, saved filters, and the list page's filter
form (`case_list_filtered`).

A case type offers them through its registry entry (`take`, `assign`, `handlers`,
`list_url_name`); its list view calls `queue_narrow` and `queue_tools`, its template includes
`casework/_queue_tools.html`. Each case taken or assigned in bulk goes through the case type's
own service, one at a time: one that moved meanwhile is reported and the rest are done.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import is_staff_side
from accounts.selectors import bank_organisations

from .errors import DomainError
from .models import SavedFilter
from .runner import Tell, case_update
from .sla import clock_most_at_risk

SORT_DEADLINE = "frist"
# Parameters that are not part of a filter: the page, and the ones the tools set themselves.
NOT_FILTERS = ("side", "csrfmiddlewaretoken")
MAX_BULK = 100
MAX_QUERYSTRING = 1000


@dataclass(frozen=True)
class QueueOptions:
    """What the person chose above the queue: `sort` ("frist": deadline first) and `mine`
    (only cases assigned to them)."""

    sort: str = ""
    mine: bool = False

    @property
    def by_deadline(self):
        return self.sort == SORT_DEADLINE


def queue_options(request) -> QueueOptions:
    return QueueOptions(sort=SORT_DEADLINE if request.GET.get("sortering") == SORT_DEADLINE
                        else "", mine=request.GET.get("mine") == "1")


def queue_narrow(qs, options, *, user, assignee="assignee", due="resolution_due"):
    """`qs` with "assigned to me" applied, and ordered by deadline (none last, then newest)
    when asked; otherwise as it was."""
    if options.mine:
        qs = qs.filter(**{assignee: user})
    if options.by_deadline:
        qs = qs.order_by(F(due).asc(nulls_last=True), "-created_at", "-pk")
    return qs


def risk_tag(clocks):
    """The row's mark: "breached" or "at_risk" (from the most pressing SLA clock), else None.
    The template shows it as text with a shape, never by colour alone."""
    clock = clock_most_at_risk(clocks)
    if clock is None or clock.state not in ("breached", "at_risk"):
        return None
    return clock.state


def _querystring_clean(querystring):
    """The filter part of a query string, re-encoded (the page number and tokens dropped)."""
    query = QueryDict(querystring or "", mutable=True)
    for name in NOT_FILTERS:
        query.pop(name, None)
    encoded = query.urlencode()
    if len(encoded) > MAX_QUERYSTRING:
        raise DomainError(_("Filteret er for langt til å lagres."), field="name")
    return encoded


def saved_filter_save(*, user, case_type_key, name, querystring):
    """Save the queue's current filter under `name` for `user` (the same name replaces it).

    Side effects: one SavedFilter row (created or updated). Personal: no audit event."""
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError(_("Gi filteret et navn."), field="name")
    querystring = _querystring_clean(querystring)
    try:
        with transaction.atomic():
            saved, _created = SavedFilter.objects.update_or_create(
                user=user, case_type_key=case_type_key, name=name,
                defaults={"querystring": querystring})
    except IntegrityError:  # saved twice at once: the other one won
        saved = SavedFilter.objects.get(user=user, case_type_key=case_type_key, name=name)
    return saved


def saved_filter_delete(*, user, pk):
    """Delete one of `user`'s saved filters; someone else's is not found (Http404).

    Side effects: the SavedFilter row deleted."""
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise Http404


def saved_filters_for(*, user, case_type_key):
    return list(SavedFilter.objects.filter(user=user, case_type_key=case_type_key))


def case_reassign(*, case, by, to, allowed, may_handle, title):
    """Give `case` to the handler `to`, for a case type's assign service: checked on the
    locked row (`allowed(case, by)`: may `by` assign it; `may_handle(to)`: may `to` handle it),
    through `case_update`, audited ("assigned", from and to), and `to` told (`title`; not when
    people assign to themselves).

    Side effects: the assignee changed, an audit event, `to` notified (portal and e-mail).
    Returns the case."""
    if not may_handle(to):
        raise DomainError(_("Saken kan bare tildeles en saksbehandler."), field="to")

    def change(locked):
        if locked.assignee_id == to.pk:
            raise DomainError(_("Saken er allerede tildelt %(who)s.") % {"who": to})
        before, locked.assignee = locked.assignee_id, to
        return {"from": before, "to": to.pk}

    case, _msg = case_update(case=case, by=by, allowed=allowed, verb="assigned", change=change,
                             tell=[Tell([to], title)])
    return case


@dataclass
class BulkOutcome:
    done: list = field(default_factory=list)  # references
    failed: list = field(default_factory=list)  # (reference, message)


def cases_bulk_run(*, ct, by, references, run):
    """Run `run(case)` (one call of the case type's service) on each case of `references`
    that `by` may see, each in its own transaction: a case that moved meanwhile, or that `by`
    may not touch, is reported in `failed`; the others are done.

    Side effects: those of the service, once per case done."""
    outcome = BulkOutcome()
    for reference in list(dict.fromkeys(references))[:MAX_BULK]:
        try:
            case = ct.get_for_user(user=by, reference=reference)
            run(case)
        except Http404:
            outcome.failed.append((reference, _("Finnes ikke, eller du har ikke tilgang.")))
        except DomainError as exc:
            outcome.failed.append((reference, exc.message))
        else:
            outcome.done.append(reference)
    return outcome


def queue_tools(request, ct, *, query):
    """The context `casework/_queue_tools.html` needs: the person's saved filters, the
    handlers they may assign to, the sort and "mine" links, and the bulk form's target."""
    user = request.user
    options = queue_options(request)
    list_url = reverse(ct.list_url_name)
    base = QueryDict(query, mutable=True)

    def link(**changes):
        q = base.copy()
        for key, value in changes.items():
            q.pop(key, None)
            if value:
                q[key] = value
        encoded = q.urlencode()
        return f"{list_url}?{encoded}" if encoded else list_url

    handlers = list(ct.handlers(user)) if ct.handlers is not None else []
    # The tools' URLs sit beside the queue's, in its app: `<app>:bulk`, `<app>:filter_save`.
    app = ct.list_url_name.rsplit(":", 1)[0]
    return {
        "bulk_url_name": f"{app}:bulk", "filter_save_url_name": f"{app}:filter_save",
        "filter_delete_url_name": f"{app}:filter_delete",
        "case_type_key": ct.key,
        "list_url": list_url,
        "options": options,
        "saved_filters": [{"filter": f, "url": f"{list_url}?{f.querystring}" if f.querystring
                           else list_url} for f in saved_filters_for(
                               user=user, case_type_key=ct.key)],
        "handlers": handlers,
        "can_bulk": ct.take is not None or (ct.assign is not None and bool(handlers)),
        "can_take": ct.take is not None,
        "can_assign": ct.assign is not None and bool(handlers),
        "query": query,
        "sort_deadline_url": link(sortering=SORT_DEADLINE),
        "sort_queue_url": link(sortering=""),
        "mine_url": link(mine="" if options.mine else "1"),
    }


def case_list_filtered(request, *, form_class, qs, narrow):
    """The list page's filter form (a `casework.forms.CaseFilterForm`; the bank filter for
    Bits and Lånekassen) and `qs` narrowed by `narrow(qs, **what was chosen)`.

    An invalid value drops only its own filter: the search and the other filters still apply,
    so a stale or tampered link does not turn a search or export into everything."""
    user = request.user
    # (id, name) pairs: the filter needs no more of 300 banks on every list page.
    organisations = (bank_organisations(user=user).values_list("pk", "name")
                     if is_staff_side(user) else None)
    form = form_class(request.GET or None, organisations=organisations)
    if form.is_bound:
        form.is_valid()
        qs = narrow(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    return form, qs
