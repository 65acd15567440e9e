"""Onboarding pages. Thin: selectors find what the user may see, services do the work."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import is_bank_user, is_org_admin
from accounts.selectors import contact_points_for_organisation, contact_points_overdue_organisations
from balances import selectors as balances_selectors
from casework.actions import actions_available
from casework.errors import DomainError, form_add_domain_error
from casework.http import client_address
from casework.models import Environment
from casework.registry import case_type
from casework.sla import calendar_get
from casework.views import message_form_for, run_service

from . import permissions as perms
from . import selectors, services
from .actions import ACTIONS
from .forms import (
    KeyRotateForm,
    ReadinessForm,
    RegistrationForm,
    ResubmitForm,
    RoutinesForm,
    SetPasswordForm,
    SignForm,
    TermsPublishForm,
)
from .models import Status

# Registrations per IP address and hour: the page is public, so it is a spam target.
REGISTRATIONS_PER_HOUR = 10


# --- A.1 registration (public) ------------------------------------------------------------

def register(request):
    # Bound on every POST, even an empty one: the throttle below adds its error to the form.
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # Behind the proxy, the client's address (casework.http), not the proxy's.
        throttle_key = f"onboarding:register:{client_address(request)}"
        cache.add(throttle_key, 0, 3600)
        if cache.incr(throttle_key) > REGISTRATIONS_PER_HOUR:
            form.add_error(None, _("For mange registreringer fra denne adressen. Prøv igjen "
                                   "om en time."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.onboarding_register(
                    orgnr=data["orgnr"], name=data["name"],
                    supplier_orgnr=data["supplier_orgnr"], supplier_name=data["supplier_name"],
                    contact_points=form.contact_points(), test_endpoints=data["test_endpoints"],
                    registrant_name=data["registrant_name"],
                    registrant_email=data["registrant_email"])
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                # No case when the address already has a user (its owner is told by mail):
                # the answer is the same, so the form tells nobody who has an account.
                request.session["onboarding_registered"] = (
                    data["registrant_email"].strip().lower())
                return redirect("onboarding:registered")
    return render(request, "onboarding/register.html", {"form": form})


def registered(request):
    email = request.session.get("onboarding_registered")
    if not email:
        return redirect("onboarding:register")
    return render(request, "onboarding/registered.html", {"email": email})


def verify(request, uidb64, token):
    found = selectors.registrant_for_token(uidb64=uidb64, token=token)
    if found is None:
        return render(request, "onboarding/verify_invalid.html", status=404)
    user, case = found
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.registrant_verify(case=case, user=user, token=token,
                                       password=form.cleaned_data["password1"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("E-postadressen er bekreftet. Registreringen er sendt "
                                        "til Bits."))
            return redirect(case)
    return render(request, "onboarding/verify.html", {"form": form, "case": case,
                                                      "registrant": user})


# --- the pipeline and the case ------------------------------------------------------------

@login_required
def index(request):
    user = request.user
    if perms.can_see_pipeline(user):
        calendar = calendar_get()
        return render(request, "onboarding/pipeline.html", {
            "board": selectors.pipeline(user=user, calendar=calendar),
            "overdue_contacts": contact_points_overdue_organisations(),
        })
    case = selectors.case_for_bank_user(user=user)
    if case is not None:
        return redirect(case)
    if not is_bank_user(user):
        raise Http404
    return render(request, "onboarding/no_case.html")


def detail_context(request, case, *, message_form=None, readiness_form=None,
                   routines_form=None):
    """The case page's context (also the registry's: the kernel's message view renders the
    page, or its conversation part, with it)."""
    user = request.user
    calendar = calendar_get()
    organisation = case.organisation
    checklist = None
    if case.status in (Status.TESTING, Status.TEST_REVIEW):
        checklist = balances_selectors.integration_test_checklist(organisation=organisation)
    return {
        "case": case,
        "steps": selectors.case_steps(case, calendar),
        "waiting_days": selectors.case_waiting_days(case, calendar),
        "timeline": selectors.case_timeline(case=case, user=user),
        "actions": actions_available(ACTIONS, case, user),
        "message_form": message_form or message_form_for(case_type("onboarding"), case, user),
        "can_comment": perms.can_comment(case, user),
        "suspension": selectors.case_suspension(case),
        "is_bank": perms.is_case_bank(case, user),
        "is_bank_admin": perms.is_case_bank_admin(case, user),
        "can_correct_registrant": perms.is_bits_handler(case, user)
        and case.registrant_verified_at is None
        and case.status in (Status.SUBMITTED, Status.RETURNED),
        "can_edit": perms.can_edit_registration(case, user),
        "readiness_form": readiness_form or ReadinessForm(),
        "routines_form": routines_form or RoutinesForm(),
        "contact_points": contact_points_for_organisation(organisation=organisation),
        "access": selectors.api_access_for_user(user=user, organisation=organisation),
        "keys": selectors.api_keys_for_user(user=user, organisation=organisation),
        "signatures": selectors.signatures_for_organisation(user=user,
                                                            organisation=organisation),
        "checklist": checklist,
        "my_turn": _is_my_turn(case, user),
        # Bits checks a registration under another organisation's name with extra care.
        "name_clash": [] if perms.is_case_bank(case, user) else selectors.name_clashes(
            organisations=[organisation]).get(organisation.pk, []),
    }


def _is_my_turn(case, user):
    turn = case.turn
    if turn == "bank":
        return perms.is_case_bank(case, user)
    if turn == "bits":
        return perms.is_bits_handler(case, user)
    if turn == "lanekassen":
        return perms.is_lanekassen_handler(case, user)
    return False


@login_required
def detail(request, reference):
    case = selectors.case_get_for_user(user=request.user, reference=reference)
    return render(request, "onboarding/detail.html", detail_context(request, case))


@login_required
def resubmit(request, reference):
    case = selectors.case_get_for_user(user=request.user, reference=reference)
    if not perms.can_edit_registration(case, request.user):
        raise Http404
    initial = {"name": case.organisation.name, "supplier_orgnr": case.supplier_orgnr,
               "supplier_name": case.supplier_name,
               "test_endpoints": "\n".join(case.test_endpoints)}
    form = ResubmitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.onboarding_resubmit(
                case=case, by=request.user, name=data["name"],
                supplier_orgnr=data["supplier_orgnr"], supplier_name=data["supplier_name"],
                test_endpoints=data["test_endpoints"], comment=data["comment"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Registreringen er sendt til Bits på nytt."))
            return redirect(case)
    return render(request, "onboarding/resubmit.html", {"form": form, "case": case})


@login_required
@require_POST
def readiness(request, reference):
    case = selectors.case_get_for_user(user=request.user, reference=reference)
    form = ReadinessForm(request.POST)
    if form.is_valid():
        run_service(request, lambda: services.onboarding_confirm_readiness(
            case=case, by=request.user,
            production_endpoints=form.cleaned_data["production_endpoints"]),
                    success=_("Klarmeldingen er sendt til Lånekassen."))
        return redirect(case)
    return render(request, "onboarding/detail.html",
                  detail_context(request, case, readiness_form=form), status=400)


@login_required
@require_POST
def routines(request, reference):
    case = selectors.case_get_for_user(user=request.user, reference=reference)
    form = RoutinesForm(request.POST)
    if form.is_valid():
        run_service(request, lambda: services.onboarding_confirm_routines(
            case=case, by=request.user),
                    success=_("Banken er i produksjon."))
        return redirect(case)
    return render(request, "onboarding/detail.html",
                  detail_context(request, case, routines_form=form), status=400)


# --- A.2 terms ----------------------------------------------------------------------------

@login_required
def terms(request):
    user = request.user
    current = selectors.terms_current()
    organisation = user.organisation if is_bank_user(user) else None
    signature = selectors.terms_signature(organisation=organisation, terms=current)
    return render(request, "onboarding/terms.html", {
        "terms": current,
        "versions": selectors.terms_versions(),
        "signature": signature,
        "can_sign": organisation is not None and perms.has_signing_authority(user),
        "signers": selectors.signers_of(organisation=organisation) if organisation else [],
        "sign_form": SignForm(),
        "status_rows": selectors.signing_status(user=user, terms=current),
        "can_publish": perms.can_publish_terms(user),
        "case": selectors.case_for_bank_user(user=user),
    })


@login_required
@require_POST
def terms_sign(request, pk):
    version = selectors.terms_get(pk=pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kryss av for at du har lest bruksvilkårene og at banken har "
                                  "akseptert Maskinportens bruksvilkår."))
        return redirect("onboarding:terms")
    try:
        services.terms_sign(terms=version, by=request.user,
                            maskinporten_accepted=form.cleaned_data["maskinporten_accepted"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:terms")
    messages.success(request, _("Bruksvilkårene (versjon %(v)s) er signert.") % {
        "v": version.version})
    case = selectors.case_for_bank_user(user=request.user)
    return redirect(case or "onboarding:terms")


@login_required
def terms_publish(request):
    if not perms.can_publish_terms(request.user):
        raise Http404
    form = TermsPublishForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.terms_publish(by=request.user, version=data["version"],
                                   effective_date=data["effective_date"],
                                   sign_by=data["sign_by"], text=data["text"], pdf=data["pdf"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Versjon %(v)s er publisert.") % {"v": data["version"]})
            return redirect("onboarding:terms")
    return render(request, "onboarding/terms_publish.html", {"form": form})


@login_required
def terms_pdf(request, pk):
    version = selectors.terms_get(pk=pk)
    if not version.pdf:
        raise Http404
    return FileResponse(version.pdf.open("rb"), as_attachment=True,
                        filename=f"bruksvilkar-{version.version}.pdf",
                        content_type="application/pdf")


# --- API keys -----------------------------------------------------------------------------

def _keys_context(user):
    organisation = user.organisation
    return {
        "organisation": organisation,
        "keys": selectors.api_keys_for_user(user=user, organisation=organisation),
        "access": selectors.api_access_for_user(user=user, organisation=organisation),
        "rotate_form": KeyRotateForm(),
        "environments": Environment.choices,
        "case": selectors.case_for_bank_user(user=user),
    }


@login_required
def keys(request):
    user = request.user
    if not (is_bank_user(user) and is_org_admin(user)):
        raise Http404
    context = _keys_context(user)
    # `?grace_days=0` (the breach case's link) preselects rotation without a grace period.
    asked = KeyRotateForm(request.GET)
    context["grace_days"] = (asked.cleaned_data["grace_days"] if asked.is_valid()
                             else KeyRotateForm.base_fields["grace_days"].initial)
    return render(request, "onboarding/keys.html", context)


def _show_key_once(request, key, plaintext):
    # Rendered straight into this one response and never stored: not in the session, the
    # database or a log. never_cache keeps it out of the browser's cache too.
    return render(request, "onboarding/key_shown.html", {"key": key, "plaintext": plaintext,
                                                         "keys_url": reverse("onboarding:keys")})


@never_cache
@login_required
@require_POST
def key_create(request, environment):
    user = request.user
    if not (is_bank_user(user) and is_org_admin(user)):
        raise Http404
    try:
        key, plaintext = services.bank_api_key_create(organisation=user.organisation,
                                                      environment=environment, by=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:keys")
    return _show_key_once(request, key, plaintext)


@never_cache
@login_required
@require_POST
def key_rotate(request, pk):
    key = selectors.api_key_get_for_admin(user=request.user, pk=pk)
    form = KeyRotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Overgangsperioden må være mellom 0 og 7 dager."))
        return redirect("onboarding:keys")
    try:
        new, plaintext = services.bank_api_key_rotate(key=key, by=request.user,
                                                      grace_days=form.cleaned_data["grace_days"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:keys")
    return _show_key_once(request, new, plaintext)


@login_required
@require_POST
def key_revoke(request, pk):
    key = selectors.api_key_get_for_admin(user=request.user, pk=pk)
    run_service(request, lambda: services.bank_api_key_revoke(key=key, by=request.user),
                success=_("Nøkkelen %(p)s… er trukket tilbake og virker ikke lenger.")
                         % {"p": key.prefix})
    return redirect("onboarding:keys")


# --- contact points Bits follows up -------------------------------------------------------

@login_required
def contact_points_overdue(request):
    if not perms.can_see_pipeline(request.user):
        raise Http404
    return render(request, "onboarding/contact_points_overdue.html",
                  {"organisations": contact_points_overdue_organisations()})


@login_required
@require_POST
def registrant_correct(request, reference):
    case = selectors.case_get_for_user(user=request.user, reference=reference)
    if not perms.is_bits_handler(case, request.user):
        raise Http404
    run_service(request, lambda: services.onboarding_registrant_correct(case=case, by=request.user,
                                           email=request.POST.get("email", "")),
                success=_("E-postadressen er rettet, og en ny bekreftelseslenke er "
                                    "sendt."))
    return redirect(case)
