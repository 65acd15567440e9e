"""The portal's 404 page also with DEBUG on (the embedded default).

With DEBUG, Django answers a 404 with its technical page, which lists every URL pattern of the
portal; handler404 is used only with DEBUG off. This middleware gives the portal's page instead,
for an address no URL matches and for a view that raises Http404. A 404 a view returns itself
(the Saldo API's JSON) is left alone, and so is a missing static file. (The portal has no
MEDIA_URL: attachments are served by views that check access.)
"""

from django.conf import settings
from django.http import Http404

from . import views


class PortalNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404
                and request.resolver_match is None and not self._is_static(request)):
            # No URL matched: the response is Django's technical page.
            return views.page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        return None

    @staticmethod
    def _is_static(request):
        return request.path.startswith(settings.STATIC_URL)
