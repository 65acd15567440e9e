"""The Saldo API's settings, read when used (so tests can override them), in one place.

See the "Saldo API" block of ``config/settings.py`` for what each one means.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .models import Environment


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer whose tokens are accepted, and where its public keys are."""

    issuer: str
    jwks_url: str
    local: bool = False  # the local test issuer


# What every API call asks of the settings (the environments served, the trusted issuers) is
# worked out once, and again after a setting of ours changes (tests change them).
_worked_out: dict = {}


@receiver(setting_changed)
def _forget_worked_out(*, setting, **kwargs):
    if setting.startswith("SALDO_"):
        _worked_out.clear()


def environment_served(environment: str) -> bool:
    served = _worked_out.get("served")
    if served is None:
        served = _worked_out["served"] = (frozenset(Environment.values)
                                          & frozenset(settings.SALDO_API_ENVIRONMENTS))
    return environment in served


def test_issuer_enabled() -> bool:
    """The local test issuer works only when the test environment is served."""
    return bool(settings.SALDO_TEST_ISSUER_ENABLED) and environment_served(Environment.TEST)


def test_issuer_base() -> str:
    return settings.SALDO_TEST_ISSUER_URL.rstrip("/")


def test_issuer_names() -> dict[str, str]:
    base = test_issuer_base()
    return {"maskinporten": f"{base}/maskinporten/", "altinn": f"{base}/altinn",
            "jwks_url": f"{base}/jwks"}


def _trusted(setting: str, kind: str, environment: str) -> tuple[TrustedIssuer, ...]:
    issuers = _worked_out.get((kind, environment))
    if issuers is not None:
        return issuers
    issuers = []
    entry = getattr(settings, setting).get(environment) or {}
    if entry.get("issuer") and entry.get("jwks_url"):
        issuers.append(TrustedIssuer(entry["issuer"], entry["jwks_url"]))
    # Never in production: the local issuer's keys are in the database, not in an HSM.
    if environment == Environment.TEST and test_issuer_enabled():
        names = test_issuer_names()
        issuers.append(TrustedIssuer(names[kind], names["jwks_url"], local=True))
    issuers = _worked_out[(kind, environment)] = tuple(issuers)
    return issuers


def maskinporten_issuers(environment: str) -> tuple[TrustedIssuer, ...]:
    return _trusted("SALDO_MASKINPORTEN", "maskinporten", environment)


def altinn_issuers(environment: str) -> tuple[TrustedIssuer, ...]:
    return _trusted("SALDO_ALTINN", "altinn", environment)


def audience(environment: str) -> str:
    return settings.SALDO_API_AUDIENCE[environment]


def leeway() -> int:
    return settings.SALDO_TOKEN_LEEWAY_SECONDS


def consent_service() -> str:
    return settings.SALDO_CONSENT_SERVICE


def consent_resource() -> str:
    return settings.SALDO_CONSENT_RESOURCE


def throttle() -> tuple[int, int]:
    return settings.SALDO_THROTTLE_RATE, max(1, settings.SALDO_THROTTLE_WINDOW_SECONDS)


def address_failures() -> tuple[int, int]:
    """Calls refused before the bank is known, allowed per client address and window."""
    return (settings.SALDO_ADDRESS_FAILURE_RATE,
            max(1, settings.SALDO_ADDRESS_FAILURE_WINDOW_SECONDS))
