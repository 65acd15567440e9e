"""Writes for change requests (process E), by concern:

- `requests`: propose, edit, submit, and Bits' check (open, return, reject, merge);
- `participation`: support, follow, comment, impact answers (E.2), assessment and weights;
- `governance`: Fagutvalget, Referansegruppe Bank, Lånekassen's decision and the deliveries
  with their change notices (E.3);
- `digest`: the weekly e-mail to every bank.
"""

from .digest import digest_send_weekly
from .governance import (
    change_request_accept,
    change_request_defer,
    change_request_deliver,
    change_request_forum_recommend,
    change_request_reference_group_decide,
    change_request_reject,
    change_request_start_development,
    change_requests_resume_due,
)
from .participation import (
    change_request_assess,
    change_request_comment,
    follower_add,
    follower_remove,
    impact_answer,
    impact_request,
    priority_weights_update,
    vote_cast,
    vote_withdraw,
)
from .requests import (
    change_request_edit,
    change_request_merge,
    change_request_open,
    change_request_propose,
    change_request_reject_out_of_scope,
    change_request_return,
    change_request_submit,
)

__all__ = [
    "change_request_accept", "change_request_assess", "change_request_comment",
    "change_request_defer", "change_request_deliver", "change_request_edit",
    "change_request_forum_recommend", "change_request_merge", "change_request_open",
    "change_request_propose", "change_request_reference_group_decide", "change_request_reject",
    "change_request_reject_out_of_scope", "change_request_return",
    "change_request_start_development", "change_request_submit", "change_requests_resume_due",
    "digest_send_weekly", "follower_add", "follower_remove", "impact_answer", "impact_request",
    "priority_weights_update", "vote_cast", "vote_withdraw",
]
