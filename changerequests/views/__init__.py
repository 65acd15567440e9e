"""Change request pages, by concern: `requests` (list, propose, case page, edit),
`participation` (support, follow, impact, assessment, governance forms) and `overview`
(prioritisation, agenda, roadmap). Thin: selectors find what the user may see, services do
the work."""

from .overview import agenda, agenda_csv, prioritisation, roadmap
from .participation import (
    change_request_assess,
    change_request_decide,
    change_request_follow,
    change_request_impact,
    change_request_support,
)
from .requests import (
    change_request_create,
    change_request_detail,
    change_request_edit,
    change_request_list,
    change_request_similar,
    detail_context,
    home_panel,
)

__all__ = [
    "agenda", "agenda_csv", "change_request_assess", "change_request_create",
    "change_request_decide", "change_request_detail", "change_request_edit",
    "change_request_follow", "change_request_impact", "change_request_list",
    "change_request_similar", "change_request_support", "detail_context", "home_panel",
    "prioritisation", "roadmap",
]
