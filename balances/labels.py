"""What the portal shows of the ledger and the test customers, in the reader's language.

The engine and the test-customer list are pure Python and speak the ledger's own words (the
sub-account names of the API, "Utbetalt lån", the published English descriptions). They stay
as they are, since the API's answer and the engine's oracle tests depend on them; these labels
translate them when a page is shown.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ledger import GEBYR, LAN, OMKOSTNINGER, RENTER

ACCOUNT_LABELS = {
    LAN: _("Lån"),
    RENTER: _("Renter"),
    GEBYR: _("Gebyr"),
    OMKOSTNINGER: _("Omkostninger"),
}

RATE_KIND_LABELS = {
    "fixed3": _("fast 3 år"),
    "fixed5": _("fast 5 år"),
    "fixed10": _("fast 10 år"),
}

# By the test case of the published list (balances/data/saldo_test_customers.csv); the English
# catalogue gives the list's own English description.
TEST_CASE_DESCRIPTIONS = {
    "1a": _("bare lån (under én million)"),
    "1b": _("bare lån (over én million)"),
    "2": _("ingen gjeld (f.eks. bare stipend)"),
    "3a": _("lån og renter (under én million)"),
    "3b": _("lån og renter (over én million)"),
    "4a": _("alt unntatt omkostninger (under én million)"),
    "4b": _("alt unntatt omkostninger (over én million)"),
    "5": _("lån og gebyr"),
    "6": _("alt unntatt gebyr"),
    "7": _("alle fire delkontoer"),
    "8": _("bare renter og gebyr"),
    "9": _("bare renter"),
    "10": _("lån og omkostninger"),
    "11": _("bare gebyr"),
    "12": _("bare omkostninger"),
    "13": _("alt unntatt renter"),
    "14": _("alt unntatt lån"),
}

_POSTING_TEXTS = {
    "utbetaling": _("Utbetalt lån"),
    "gebyr": _("Gebyr"),
    "omkostninger": _("Omkostninger"),
    "omgjøring": _("Lån omgjort til stipend"),
}
_INTEREST_PREFIX = "Renter "


def account_label(account):
    """A sub-account's name (the API's, "Lån") as the reader says it."""
    return ACCOUNT_LABELS.get(account, account)


def rate_kind_label(kind):
    """"fixed3" as "fast 3 år"; a floating rate has no label ("")."""
    return RATE_KIND_LABELS.get(kind, "")


def test_case_description(case, default=""):
    """The description of a published test case; `default` (the stored one) for others."""
    return TEST_CASE_DESCRIPTIONS.get(case, default)


test_case_description.__test__ = False  # not a pytest test, despite the name


def posting_text(posting):
    """The engine's text of a posting (`engine.Posting`), in the reader's language; a text
    this does not know is shown as the engine wrote it."""
    if posting.kind in _POSTING_TEXTS:
        return str(_POSTING_TEXTS[posting.kind])
    if posting.kind == "innbetaling":
        return gettext("Innbetaling til %(account)s") % {
            "account": account_label(posting.account)}
    if posting.kind == "renter" and posting.text.startswith(_INTEREST_PREFIX):
        return gettext("Renter %(period)s") % {
            "period": posting.text.removeprefix(_INTEREST_PREFIX)}
    return posting.text
