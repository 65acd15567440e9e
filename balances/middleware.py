"""The Saldo API passes by the portal's browser middleware.

A bank's server calling ``/saldo/v1/Accounts`` has no session, no login, no language choice, no
messages, no CSRF token and no htmx: the middleware for those would only cost it time. This
middleware stands in ``settings.MIDDLEWARE`` right after the security headers. A request for one
of the API's paths (those of ``balances.api_urls``, the API's own URLconf) is resolved there and
its view is called directly, so nothing further down the list runs; any other request passes on
unchanged.

Still applied to the API, as to every request: Django's handler (request signals, so database
connections are reused and closed as usual; an unexpected exception becomes a 500), the host
check of ALLOWED_HOSTS (which CommonMiddleware would make; it is made here),
SecurityMiddleware (HTTPS redirect, HSTS, nosniff) and the portal's security headers. The API
view is exempt from CSRF anyway, and reads only its own headers.
"""

from django.urls import Resolver404, get_resolver

API_URLCONF = "balances.api_urls"


class SaldoApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolver = get_resolver(API_URLCONF)

    def __call__(self, request):
        try:
            match = self.resolver.resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) for a host not in ALLOWED_HOSTS
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
