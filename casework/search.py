"""Search across every case type, from the header.

The registry is the only way this module knows the case types: each registers
`search(user, text)` (its own user-scoped selector), and this module merges what they find.
What a person types is read as one of
- a reference (FM-2026-0001, OB-…, DM-…, SB-…, SP-…, EO-…): each case type's user-scoped
  `get_for_user` is asked; the first that shows it wins, and the page goes straight to it. A
  reference the person may not see finds nothing — the same answer as no such case;
- anything else (an orgnr, a bank's name, an X-Request-Id, words): each case type's `search`,
  which matches those against the cases the person may see (`text_match` is the shared part).

Each case type costs one query (its search) however many cases there are.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from .registry import case_types

REFERENCE_RE = re.compile(r"^[A-Za-z]{2}-\d{4}-\d{1,8}$")
# X-Request-Id values are letters, digits and . _ : - (incidents.forms.REQUEST_ID_RE).
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")
ORGNR_RE = re.compile(r"^\d{9}$")
MAX_TEXT = 200
PER_TYPE = 20


@dataclass
class SearchResult:
    """What the search page lists for one case."""

    reference: str
    title: str
    status: str
    url: str
    case_type: object
    organisation: str = ""


@dataclass
class SearchOutcome:
    text: str
    case: object = None  # a reference the person may see: go straight to it
    groups: list = field(default_factory=list)  # [(case type, [SearchResult])]

    @property
    def count(self):
        return sum(len(results) for _ct, results in self.groups)


def search_normalise(text) -> str:
    """The words of `text`, one space between them, cut at MAX_TEXT characters. Characters
    that cannot be printed (NUL, other control characters) separate words: PostgreSQL refuses a
    NUL in a query, and nobody searches for one."""
    printable = "".join(c if c.isprintable() else " " for c in (text or ""))
    return " ".join(printable.split())[:MAX_TEXT]


def is_reference(text) -> bool:
    return bool(REFERENCE_RE.match(text))


def is_request_id(text) -> bool:
    """Looks like an X-Request-Id (a UUID or a token with digits), not an ordinary word."""
    return bool(REQUEST_ID_RE.match(text)) and any(c.isdigit() for c in text) and " " not in text


def text_match(qs, text, *, fields, organisation="organisation", request_ids=None):
    """The shared part of a case type's `search`: `qs` (already scoped to the user) narrowed
    to the cases whose reference is `text`, whose bank has that orgnr or a name containing it,
    whose `request_ids` (a JSON list) hold it, or whose `fields` contain every word of it."""
    text = search_normalise(text)
    if not text:
        return qs.none()
    if is_reference(text):
        return qs.filter(reference__iexact=text)
    condition = Q()
    if organisation:
        if ORGNR_RE.match(text):
            condition |= Q(**{f"{organisation}__orgnr": text})
        condition |= Q(**{f"{organisation}__name__icontains": text})
    if request_ids and is_request_id(text):
        # The JSON text of the list holds each value in quotes: this matches one whole value
        # on PostgreSQL and SQLite alike.
        condition |= Q(**{f"{request_ids}__icontains": f'"{text}"'})
    words = Q()
    for word in text.split():
        words &= Q(*[Q(**{f"{name}__icontains": word}) for name in fields], _connector=Q.OR)
    condition |= words
    if not condition:
        return qs.none()  # nothing to match on: an empty condition would match everything
    return qs.filter(condition)


def _result(ct, case):
    organisation = getattr(case, "organisation", None) if hasattr(
        type(case), "organisation") else None
    headline = case.headline() if hasattr(case, "headline") else str(case)
    return SearchResult(reference=case.reference, title=headline,
                        status=ct.status_label(case.status), url=case.get_absolute_url(),
                        case_type=ct, organisation=organisation.name if organisation else "")


def reference_find(*, user, reference):
    """The case with this reference if `user` may see it, through each case type's own
    user-scoped selector; None otherwise (never a hint that it exists)."""
    for ct in case_types():
        try:
            return ct.get_for_user(user=user, reference=reference.upper())
        except Http404:
            continue
    return None


def search_all(*, user, text) -> SearchOutcome:
    """What `user` may see that matches `text`, by case type (see the module docstring)."""
    text = search_normalise(text)
    outcome = SearchOutcome(text=text)
    if not text or not getattr(user, "is_authenticated", False):
        return outcome
    if is_reference(text):
        outcome.case = reference_find(user=user, reference=text)
        return outcome
    for ct in case_types():
        if ct.search is None:
            continue
        results = [_result(ct, case) for case in list(ct.search(user, text))[:PER_TYPE]]
        if results:
            outcome.groups.append((ct, results))
    return outcome
