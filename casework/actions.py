"""Declarative case actions: what a person can do on a case page, declared once per case type.

Read it like Django admin's `actions`: a list of entries, each with a name, a label, the text it
asks for and the service it calls. From one table the kernel builds
- the buttons on the case page (`actions_available`: what this person may do now),
- the action view (`casework.views.case_action`),
- the Django admin's actions (`casework.admin.admin_actions`).

A status transition is available when django-fsm says the person may run it now; an action
that is not a transition (suspend, lift a suspension) names its predicate in `allowed`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .runner import transitions_for


@dataclass(frozen=True)
class CaseAction:
    """One thing a person does to a case.

    `service(case, user, text)` calls the case type's service; `prompt` is the text the action
    asks for (None: no text); `required` says whether that text must be given. `transition`
    is the FSM transition it runs (defaults to `name`); for an action that is not a
    transition, `allowed(case, user)` says when it is offered.
    """

    name: str
    label: Any
    service: Callable
    prompt: Any = None
    required: bool = True
    transition: str | None = None
    allowed: Callable | None = None
    danger: bool = False

    @property
    def text(self):
        return self.prompt

    @property
    def needs_text(self) -> bool:
        return self.prompt is not None and self.required

    def is_available(self, case, user, transitions=None) -> bool:
        if self.allowed is not None:
            return bool(self.allowed(case, user))
        if transitions is None:
            transitions = transitions_for(case, user)
        return (self.transition or self.name) in transitions


def actions_available(actions, case, user):
    """The actions of the table that `user` may run on `case` now, in the table's order."""
    transitions = transitions_for(case, user)
    return [a for a in actions if a.is_available(case, user, transitions)]


def action_named(actions, name):
    return next((a for a in actions if a.name == name), None)
