import pytest


@pytest.fixture
def p(personas):
    """The personas (tests/conftest.py) as the builders take them."""
    return personas


@pytest.fixture(autouse=True)
def notice_components(db):
    """The components a change notice names (a migration adds them; a transactional test run
    before this one flushes them)."""
    from notices.models import Component

    for position, name in enumerate(["Saldo-API-et", "Maskinporten", "Altinn samtykke",
                                     "Forvaltningsportalen"]):
        Component.objects.get_or_create(name=name, defaults={"position": position})
