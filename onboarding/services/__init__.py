"""Writes for onboarding (process A), one module per concern. Every step of a case is one call
of the kernel's runner (`casework.runner`): lock, permission on the locked row, transition,
hook, save, message, audit, notifications keyed by the audit event — in one transaction.

API access and keys belong to `balances`: the services here call its services (in the
runner's hook, so a failed grant rolls the step back) and record the step on the case.

`from onboarding import services; services.onboarding_verify(...)` works for every public
name below.
"""

from .access import (
    onboarding_approve_test,
    onboarding_confirm_readiness,
    onboarding_confirm_routines,
    onboarding_grant_production,
    onboarding_grant_test,
    onboarding_offboard,
    onboarding_order_test,
    onboarding_report_test_done,
    onboarding_return_test,
    onboarding_suspend,
    onboarding_unsuspend,
)
from .keys import (
    KEY_ROTATION_MAX_GRACE_DAYS,
    bank_api_key_create,
    bank_api_key_revoke,
    bank_api_key_rotate,
)
from .messages import onboarding_comment
from .registration import (
    onboarding_register,
    onboarding_registrant_correct,
    onboarding_reject,
    onboarding_reopen_registration,
    onboarding_resubmit,
    onboarding_return,
    onboarding_verify,
    registrant_verify,
    verification_path,
)
from .terms import terms_publish, terms_sign, text_sha256

__all__ = [
    "KEY_ROTATION_MAX_GRACE_DAYS",
    "bank_api_key_create",
    "bank_api_key_revoke",
    "bank_api_key_rotate",
    "onboarding_approve_test",
    "onboarding_comment",
    "onboarding_confirm_readiness",
    "onboarding_confirm_routines",
    "onboarding_grant_production",
    "onboarding_grant_test",
    "onboarding_offboard",
    "onboarding_order_test",
    "onboarding_register",
    "onboarding_registrant_correct",
    "onboarding_reject",
    "onboarding_reopen_registration",
    "onboarding_report_test_done",
    "onboarding_resubmit",
    "onboarding_return",
    "onboarding_return_test",
    "onboarding_suspend",
    "onboarding_unsuspend",
    "onboarding_verify",
    "registrant_verify",
    "terms_publish",
    "terms_sign",
    "text_sha256",
    "verification_path",
]
