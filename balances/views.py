"""The Saldo API in the portal: the calls log, Lånekassen's borrower view, the sandbox, the
OpenAPI description and the local test issuer's keys."""

import shlex
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.permissions import is_bank_user, is_bits, is_lanekassen

from . import api, conf, openapi, selectors, services, testissuer
from .engine import RateLookupError, format_kroner, format_rate
from .forms import (
    AsOfForm,
    BorrowerSearchForm,
    LookupLogFilterForm,
    SandboxForm,
    bank_choices,
)
from .labels import account_label, posting_text, rate_kind_label, test_case_description
from .models import Environment


def _api_url(request, environment):
    name = "saldo:accounts_test" if environment == Environment.TEST else "saldo:accounts"
    return request.build_absolute_uri(reverse(name))


@login_required
def index(request):
    user = request.user
    organisation = user.organisation
    return render(request, "balances/index.html", {
        "test_url": _api_url(request, Environment.TEST),
        "production_url": _api_url(request, Environment.PRODUCTION),
        "can_see_log": selectors.can_view_lookup_log(user),
        "can_see_borrowers": is_lanekassen(user),
        "can_use_sandbox": _sandbox_allowed(user),
        "checklist": (selectors.integration_test_checklist(organisation=organisation)
                      if is_bank_user(user) else None),
        "test_issuer": conf.test_issuer_enabled(),
    })


@require_GET
def openapi_json(request):
    """The published description is public, as the real one is."""
    body = api.to_json(openapi.spec(request.build_absolute_uri("/")), indent=2)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=300)
def test_issuer_jwks(request):
    if not conf.test_issuer_enabled():
        raise Http404
    return JsonResponse(testissuer.jwks())


# --- The calls log --------------------------------------------------------------------------------


@login_required
def lookup_log(request):
    user = request.user
    if not selectors.can_view_lookup_log(user):
        raise Http404
    staff = is_bits(user) or is_lanekassen(user)
    form = LookupLogFilterForm(request.GET or None,
                               organisations=bank_choices() if staff else None,
                               fnr_search=is_lanekassen(user))
    qs = selectors.lookup_log_for_user(user=user)
    if form.is_valid():
        qs = selectors.lookup_log_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "balances/lookup_log.html", {
        "form": form, "page": page, "query": query.urlencode(), "show_bank": staff,
    })


# --- Lånekassen's borrower view -------------------------------------------------------------------


def _require_lanekassen(user):
    if not is_lanekassen(user):
        raise Http404


@login_required
def borrower_search(request):
    """Search by fødselsnummer with POST, so that it never ends up in a URL or access log."""
    _require_lanekassen(request.user)
    form = BorrowerSearchForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        borrower = selectors.borrowers_for_user(user=request.user).filter(
            environment=form.cleaned_data["environment"], fnr=form.cleaned_data["fnr"]).first()
        if borrower is not None:
            url = reverse("balances:borrower", args=[borrower.pk])
            if form.cleaned_data["as_of"]:
                url += f"?dato={form.cleaned_data['as_of']:%Y-%m-%d}"
            return redirect(url)
        not_found = True
    return render(request, "balances/borrower_search.html", {
        "form": form, "not_found": not_found,
        "test_customers": [{"pk": b.pk, "fnr": b.fnr, "name": b.name,
                            "description": test_case_description(b.test_case, b.description)}
                           for b in selectors.test_customers()],
    })


@login_required
def borrower_detail(request, pk):
    _require_lanekassen(request.user)
    borrower = get_object_or_404(selectors.borrowers_for_user(user=request.user), pk=pk)
    form = AsOfForm(request.GET or None)
    as_of = form.as_of()
    result, error = None, ""
    try:
        result = selectors.borrower_balance(borrower=borrower, as_of=as_of)
    except RateLookupError as exc:
        error = str(exc)
    services.borrower_view_record(borrower=borrower, by=request.user, as_of=as_of)
    context = {"borrower": borrower, "form": form, "as_of": as_of, "result": result,
               "error": error,
               "description": test_case_description(borrower.test_case, borrower.description)}
    if result is not None:
        context.update({
            "accounts": [{"name": account_label(name), "amount": format_kroner(amount),
                          "last_change": result.account_last_change.get(name)}
                         for name, amount in result.accounts().items()],
            "total": format_kroner(result.total),
            "unbooked": format_kroner(result.unbooked_interest),
            "explanation": [{"from_date": line.from_date, "to_date": line.to_date,
                             "principal": format_kroner(line.principal),
                             "rate": format_rate(line.rate),
                             "rate_kind": rate_kind_label(line.rate_kind),
                             "days": line.days, "interest": format_kroner(line.interest),
                             "booked_on": line.booked_on}
                            for line in result.explanation],
            "postings": [{"date": p.date, "account": account_label(p.account),
                          "amount": format_kroner(p.amount), "text": posting_text(p)}
                         for p in result.postings],
            "body": api.to_json(api.accounts_body(borrower.fnr, result), indent=2),
        })
    return render(request, "balances/borrower_detail.html", context)


# --- The sandbox ----------------------------------------------------------------------------------


def _sandbox_allowed(user) -> bool:
    return is_bank_user(user) and selectors.api_access_active(
        organisation=user.organisation, environment=Environment.TEST)


def sandbox_headers(*, organisation, fnr, consent_form):
    """Headers for a test call as the bank would send them, tokens from the local issuer."""
    headers = {"ApiKey": "$SALDO_API_KEY"}
    if consent_form == "altinn3":
        details = [testissuer.altinn3_consent(fnr=fnr, orgnr=organisation.orgnr)]
        headers["Authorization"] = testissuer.maskinporten_token(
            orgnr=organisation.orgnr, authorization_details=details)
    else:
        headers["Authorization"] = testissuer.maskinporten_token(orgnr=organisation.orgnr)
        headers["Consent-ID"] = testissuer.consent_token(fnr=fnr, orgnr=organisation.orgnr)
    headers["PSU_ID"] = fnr
    headers["X-Request-Id"] = str(uuid.uuid4())
    return headers


def curl_command(url, headers):
    """The request as a curl command, one header a line; $VARIABLES stay expandable."""
    lines = [f"curl -sS {shlex.quote(url)}"]
    for name, value in headers.items():
        header = f"{name}: {value}"
        lines.append(f'-H "{header}"' if value.startswith("$") else f"-H {shlex.quote(header)}")
    return " \\\n  ".join(lines)


def _meta(headers):
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


@login_required
def sandbox(request):
    user = request.user
    if not _sandbox_allowed(user):
        raise Http404
    customers = selectors.test_customers()
    form = SandboxForm(request.POST or None, customers=customers)
    context = {"form": form, "enabled": conf.test_issuer_enabled(), "customers": customers}
    if request.method == "POST" and context["enabled"] and form.is_valid():
        headers = sandbox_headers(organisation=user.organisation,
                                  fnr=form.cleaned_data["customer"],
                                  consent_form=form.cleaned_data["consent_form"])
        call = api.Call(environment=Environment.TEST)
        status, body, _retry = api.run(_meta(headers), call,
                                       sandbox_organisation=user.organisation)
        context.update({
            "curl": curl_command(_api_url(request, Environment.TEST), headers),
            "status": status, "response": api.pretty(body),
            "made_at": timezone.now(),
        })
    return render(request, "balances/sandbox.html", context)


# --- A bank's own API usage -----------------------------------------------------------------------

USAGE_DAYS = 30


@login_required
def usage(request):
    """The bank's own calls: per day and environment with the share of errors (from the
    roll-up), and the latest failing calls, each one click from an error report with its
    X-Request-Id filled in. Bits and Lånekassen read every bank's in the API usage report."""
    from casework.charts import Chart

    from .rollup import api_calls_failed_latest, api_usage_daily

    user = request.user
    if not is_bank_user(user):
        raise Http404
    end = timezone.localdate()
    start = end - timedelta(days=USAGE_DAYS - 1)
    rows = api_usage_daily(user=user, start=start, end=end)
    days = [start + timedelta(days=i) for i in range(USAGE_DAYS)]
    index = {d: i for i, d in enumerate(days)}
    envs = list(Environment)
    calls = {env: [0] * len(days) for env in envs}
    errors = {env: [0] * len(days) for env in envs}
    for r in rows:
        calls[r["environment"]][index[r["day"]]] += r["calls"]
        if r["status"] >= 400:
            errors[r["environment"]][index[r["day"]]] += r["calls"]
    table = []
    for i, day in enumerate(days):
        cells = []
        for env in envs:
            n, bad = calls[env][i], errors[env][i]
            cells.append({"calls": n, "errors": bad,
                          "share": round(100 * bad / n, 1) if n else None})
        table.append({"day": day, "cells": cells})
    chart = Chart(key="bank-api", title=_("API-kall per dag, siste %(n)s dager") % {
        "n": USAGE_DAYS}, unit=_("kall"), stacked=True, labels=[d.strftime("%d.%m") for d in days],
        series=[(env.label, calls[env]) for env in envs])
    failed = api_calls_failed_latest(user=user, organisation=user.organisation)
    report_url = reverse("incidents:create")
    for call in failed:
        call.report_url = report_url + "?" + urlencode({
            "request_id": call.request_id, "environment": call.environment,
            "occurred_at": timezone.localtime(call.created_at).strftime("%Y-%m-%dT%H:%M")})
    return render(request, "balances/usage.html", {
        "chart": chart, "table": list(reversed(table)), "environments": envs,
        "failed": failed, "start": start, "end": end,
        "totals": [{"env": env, "calls": sum(calls[env]), "errors": sum(errors[env]),
                    "share": round(100 * sum(errors[env]) / sum(calls[env]), 1)
                    if sum(calls[env]) else None} for env in envs],
    })
