"""Template tags other pages use to show notices: the dashboard block and the notices linked to
a case (`{% load notices %}{% notice_links report %}` on an error report's page)."""

from django import template

from casework.registry import case_type_for

from .. import permissions as perms
from .. import selectors
from ..markdown import render_markdown
from ..models import Severity

register = template.Library()

SEVERITY_COLORS = {Severity.CRITICAL: "danger", Severity.MAJOR: "warning",
                   Severity.MINOR: "info", Severity.INFORMATION: "neutral"}


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def severity_color(severity):
    return SEVERITY_COLORS.get(severity, "neutral")


@register.inclusion_tag("notices/_dashboard.html", takes_context=True)
def notice_dashboard(context):
    """Current and recent notices, with a banner for ongoing critical faults and maintenance."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not perms.can_read_notices(user):
        return {"show": False}
    return {"show": True, "request": request, "csrf_token": context.get("csrf_token"),
            **selectors.notice_dashboard(user=user)}


@register.inclusion_tag("notices/_links.html", takes_context=True)
def notice_links(context, obj):
    """The notices linked to a case, and for Bits and Lånekassen a form to link one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    # Linking is offered only on a case type its owner registered as linkable: the link view
    # fetches the case again through that owner's user-scoped selector.
    ct = case_type_for(obj)
    can_link = perms.can_link(user) and ct is not None and ct.linkable_by_notices
    linked = list(selectors.notice_links_for(obj, user=user))
    return {
        "show": bool(linked) or can_link,
        "linked": linked,
        "can_link": can_link,
        "linkable": [n for n in selectors.linkable_notices(user=user) if n not in linked]
        if can_link else [],
        "target": f"{ct.key}:{obj.reference}" if can_link else "",
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
