"""The Saldo API's pages in the portal (under /saldo-api/), its description and the test
issuer's keys. The API itself is in ``api_urls``."""

from django.urls import path

from . import api, views

app_name = "balances"

urlpatterns = [
    path("", views.index, name="index"),
    path("health", api.health, name="health"),
    path("openapi.json", views.openapi_json, name="openapi"),
    path("test-issuer/jwks", views.test_issuer_jwks, name="test_issuer_jwks"),
    path("kall/", views.lookup_log, name="lookup_log"),
    path("bruk/", views.usage, name="usage"),
    path("laantakere/", views.borrower_search, name="borrowers"),
    path("laantakere/<int:pk>/", views.borrower_detail, name="borrower"),
    path("sandkasse/", views.sandbox, name="sandbox"),
]
