"""Preparing a notice from another process's case: E.3 deliveries write a draft change notice
for Lånekassen to review and publish (the one sanctioned edge between processes, DESIGN.md §4).

The caller names the components it most likely touches; the draft gets those that exist and are
active, else the first active one, and Lånekassen adjusts it before publishing."""

from django.utils.translation import gettext as _

from casework.errors import DomainError

from ..models import Kind, Severity
from ..selectors import active_components
from .writing import notice_create


def change_notice_prepare(*, by, environment, title, body, effective_on, component_names=()):
    """A draft change notice (kind change, severity information) for one environment, in
    effect from `effective_on`.

    Side effects: as `notice_create` (a draft Notice, its components, an audit event).
    """
    components = list(active_components())
    chosen = [c for c in components if c.name in set(component_names)] or components[:1]
    if not chosen:
        raise DomainError(_("Det finnes ingen komponenter å knytte endringsvarselet til. Be "
                            "en administrator legge dem inn."))
    in_test = environment == "test"
    return notice_create(
        by=by, kind=Kind.CHANGE, severity=Severity.INFORMATION, environments=[environment],
        components=chosen, title=title, body=body,
        effective_test=effective_on if in_test else None,
        effective_production=None if in_test else effective_on)
