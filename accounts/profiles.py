"""A person's own settings (the profile page): name, language and which events come by e-mail.

Kept apart from `services` (organisations, members, invitations): these are writes a person
makes for themselves only.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.registry import case_types
from casework.services import audit_record

from .models import User

# Events a person cannot stop getting by e-mail: security breaches (the bank's duty to act on
# them runs by the hour). Critical notices requiring acknowledgement are sent to the
# organisations' contact points, not through these preferences.
EMAIL_ALWAYS = frozenset({"incidents.breach", "notices.notice"})


def email_kinds():
    """The kinds of event a person may choose to get by e-mail or not: (kind, label), one per
    case type, the kind being the model label that keys its notifications."""
    return [(ct.model._meta.label_lower, ct.label_plural) for ct in case_types()
            if ct.model._meta.label_lower not in EMAIL_ALWAYS]


def _language_checked(language):
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(_("Velg et språk portalen har."), field="language")
    return language


def user_language_set(*, user, language):
    """Save the language `user` reads in (they switched it while logged in).

    Side effects: User.language (nothing when unchanged).
    """
    language = _language_checked(language)
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user


def user_profile_update(*, user, by, name, language, email_kinds_wanted):
    """`by` changes their own profile: name, language and the kinds of event they want by
    e-mail (the others are stored as opted out; kinds that always come are never stored).

    Side effects: the User's name, language and email_opt_out; an audit event.
    """
    if by is None or by.pk != user.pk:
        raise DomainError(_("Du kan bare endre din egen profil."))
    language = _language_checked(language)
    offered = {kind for kind, _label in email_kinds()}
    opted_out = sorted(offered - set(email_kinds_wanted))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {"name": user.name, "language": user.language,
                  "email_opt_out": list(user.email_opt_out or [])}
        user.name = (name or "").strip()
        user.language = language
        user.email_opt_out = opted_out
        user.save(update_fields=["name", "language", "email_opt_out"])
        audit_record(obj=user, actor=by, verb="profile_updated",
                     data={"before": before, "after": {"name": user.name, "language": language,
                                                       "email_opt_out": opted_out}})
    return user
