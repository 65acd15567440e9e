"""The Saldo API at the root of the site: production and test under their published paths."""

from django.urls import path

from . import api

app_name = "saldo"

urlpatterns = [
    path("saldo/v1/Accounts", api.accounts, {"environment": "production"}, name="accounts"),
    path("test/saldo/v1/Accounts", api.accounts, {"environment": "test"},
         name="accounts_test"),
]
