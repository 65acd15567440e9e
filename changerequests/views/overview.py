"""The views across requests: the prioritisation (with its weights), the forum's agenda (print
and CSV) and the roadmap."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.csvexport import csv_writer
from casework.errors import DomainError, form_add_domain_error

from .. import permissions as perms
from .. import priority, selectors, services
from ..forms import AgendaForm, WeightsForm


@login_required
def prioritisation(request):
    """Bits and Lånekassen rank the requests still to be decided; Bits edits the weights."""
    user = request.user
    if not perms.can_prioritise(user):
        raise Http404
    weights = priority.weights_get()
    can_edit = perms.can_edit_weights(user)
    form = WeightsForm(request.POST or None, initial={
        name: getattr(weights, name) for name in services.participation.WEIGHT_FIELDS})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.priority_weights_update(by=user, **form.cleaned_data)
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Vektene er lagret."))
                return redirect("changerequests:prioritisation")
        status = 400
    return render(request, "changerequests/prioritisation.html", {
        "ranked": priority.ranking_for_user(user=user, weights=weights), "weights": weights,
        "form": form, "can_edit": can_edit,
    }, status=status)


def _meeting_date(request, user):
    form = AgendaForm(request.GET or None)
    meeting_on = None
    if form.is_bound and form.is_valid():
        meeting_on = form.cleaned_data["dato"]
    dates = priority.agenda_dates(user=user)
    if meeting_on is None:
        today = timezone.localdate()
        upcoming = sorted(d for d in dates if d >= today)
        meeting_on = upcoming[0] if upcoming else (dates[0] if dates else today)
        form = AgendaForm(initial={"dato": meeting_on})
    return form, meeting_on, dates


@login_required
def agenda(request):
    """Fagutvalgets agenda for one meeting, ranked; prints cleanly."""
    user = request.user
    if not perms.can_prioritise(user):
        raise Http404
    form, meeting_on, dates = _meeting_date(request, user)
    ranked = priority.agenda(user=user, meeting_on=meeting_on)
    supporters = selectors.supporting_organisations_by_request([r.request for r in ranked])
    return render(request, "changerequests/agenda.html", {
        "form": form, "meeting_on": meeting_on, "dates": dates,
        "rows": [{"ranked": r, "supporters": supporters.get(r.request.pk, [])}
                 for r in ranked],
    })



@login_required
def agenda_csv(request):
    user = request.user
    if not perms.can_prioritise(user):
        raise Http404
    _form, meeting_on, _dates = _meeting_date(request, user)
    ranked = priority.agenda(user=user, meeting_on=meeting_on)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="fagutvalg-agenda-{meeting_on.isoformat()}.csv"')
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv_writer(response)
    writer.writerow([_("Rangering"), _("Referanse"), _("Tittel"), _("Bank"), _("Status"),
                     _("Hastegrad"), _("Del av tjenesten"), _("Støtte (banker)"), _("Verdi"),
                     _("Innsats"), _("Poeng"), _("Problem"), _("Foreslått endring")])
    for position, row in enumerate(ranked, start=1):
        r = row.request
        writer.writerow([position, r.reference, r.title,
                         r.organisation.name if r.organisation else _("Lånekassen"),
                         r.get_status_display(), r.get_urgency_display(), r.get_part_display(),
                         row.support, r.value or "", r.effort or "",
                         f"{row.score:.1f}".replace(".", ","), r.problem, r.proposal])
    return response


@login_required
def roadmap(request):
    user = request.user
    if not perms.can_see_roadmap(user):
        raise Http404
    return render(request, "changerequests/roadmap.html",
                  {"releases": selectors.roadmap(user=user)})
