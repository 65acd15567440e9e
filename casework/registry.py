"""The case-type registry: what each process app offers the rest of the portal.

Each app registers its case type in its `AppConfig.ready()`. The kernel, `config` (the home
page, search) and `notices` (links) read this registry; none of them imports a process app by
name. It is a plain dict filled at start-up.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class CaseType:
    """One kind of case (error report, onboarding case, ...).

    - `key`: a stable name (`incident`), also the SLA process key when `sla_process` is True.
    - `model`: the case model (a `casework.models.CaseBase`).
    - `get_for_user(user, reference)`: the case if `user` may see it, else raises Http404.
    - `list_for_user(user)`: the cases `user` may see (a queryset).
    - `verb_labels`: audit verbs → what the timeline says ("tok saken").
    - `actions`: the table of `casework.actions.CaseAction`; `action_url_name`: the URL name of
      the action view, called with (reference, action name).
    - `linkable_by_notices`: a notice may link to it (the bank then sees the notice on it).
    - `home_panel(request)`: a dict for the home page (title, count, url, items; or several
      cards: the shapes are in `templates/dashboard.html`) or None.
    - `search(user, text)`: cases `user` may see that match `text` (optional).
    - Queue work tools (`casework.queue`, optional): `take(case, by)` and `assign(case, by, to)`
      the case type's take and assign services; `handlers(user)` the people `user` may assign
      its cases to; `list_url_name` the queue's URL name (saved filters link to it).
    - The timeline (kernel views and `casework/_conversation.html`):
      `comment(case=, by=, body=, visibility=, files=)` the reply service;
      `message_visibilities(case, user)` what `user` may read and write;
      `message_attachments` whether replies carry files; `detail_template` and
      `detail_context(request, case, message_form=None)` the case page;
      `message_url_name` and `attachment_url_name` called with (reference[, pk]).
    - `status_label(state)`: a status value as text (defaults to the model's choices).
    - `event_detail(event)`: extra text after an audit event's label (optional).
    - `sla_facts(case)`: for the SLA report (optional, with `sla_process`): a dict with `key`
      (the severity or category the targets are set for), `key_label`, `first_response_at` and
      `resolved_at` (None while the case does not count as resolved).
    """

    key: str
    model: type
    label: Any
    label_plural: Any
    get_for_user: Callable
    list_for_user: Callable
    verb_labels: dict = field(default_factory=dict)
    actions: tuple = ()
    action_url_name: str = ""
    linkable_by_notices: bool = False
    home_panel: Callable | None = None
    sla_process: str | None = None
    search: Callable | None = None
    comment: Callable | None = None
    message_visibilities: Callable | None = None
    message_attachments: bool = True
    detail_template: str = ""
    detail_context: Callable | None = None
    message_url_name: str = ""
    attachment_url_name: str = ""
    event_detail: Callable | None = None
    sla_facts: Callable | None = None
    take: Callable | None = None
    assign: Callable | None = None
    handlers: Callable | None = None
    list_url_name: str = ""

    def status_label(self, state):
        field = self.model._meta.get_field("status")
        return dict(field.flatchoices).get(state, state)


_registry: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    existing = _registry.get(case_type.key)
    if existing is not None and existing.model is not case_type.model:
        raise ValueError(f"Case type {case_type.key!r} is registered twice")
    _registry[case_type.key] = case_type
    return case_type


def case_types() -> list[CaseType]:
    return list(_registry.values())


def case_type(key: str) -> CaseType:
    return _registry[key]


def case_type_for(obj_or_model) -> CaseType | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = getattr(model._meta, "concrete_model", model)
    return next((ct for ct in _registry.values() if ct.model is model), None)


def verb_label(verb: str, obj=None):
    """What the timeline says for an audit verb, from the case type's labels (then any
    registered type's, for events on objects that are not cases)."""
    ct = case_type_for(obj) if obj is not None else None
    if ct is not None and verb in ct.verb_labels:
        return ct.verb_labels[verb]
    for other in _registry.values():
        if verb in other.verb_labels:
            return other.verb_labels[verb]
    return verb


def linkable_get_for_user(*, user, key: str, reference: str):
    """A case that notices may link to, fetched through its owner's user-scoped selector: a
    person who may not see it gets Http404, exactly as on the case page."""
    ct = _registry.get(key)
    if ct is None or not ct.linkable_by_notices:
        raise Http404
    return ct.get_for_user(user=user, reference=reference)


def home_panels(request) -> list[dict]:
    panels = []
    for ct in _registry.values():
        if ct.home_panel is not None:
            panel = ct.home_panel(request)
            if panel:
                panels.append(panel)
    return panels
