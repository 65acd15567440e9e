"""The portal's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as portal_urlpatterns


def _raise_error(request):
    raise RuntimeError("boom")


def _raise_permission_denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test-500/", _raise_error),
    path("test-403/", _raise_permission_denied),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
