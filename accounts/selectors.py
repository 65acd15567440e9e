from .models import Invitation, Membership, Organisation
from .permissions import is_bits, is_org_admin


def organisation_members(*, user, organisation):
    return Membership.objects.filter(organisation=organisation).select_related("user")


def invitation_list_for_user(*, user):
    if is_bits(user):
        qs = Invitation.objects.all()
    elif is_org_admin(user):
        qs = Invitation.objects.filter(organisation=user.membership.organisation)
    else:
        qs = Invitation.objects.none()
    return qs.select_related("organisation", "invited_by").order_by("-created_at")


def invitable_organisations(*, user):
    if is_bits(user):
        return Organisation.objects.all()
    if is_org_admin(user):
        return Organisation.objects.filter(pk=user.membership.organisation_id)
    return Organisation.objects.none()


def invitation_get_usable(*, token):
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    return invitation if invitation and invitation.is_usable else None


def users_in_org_kind(kind):
    from .models import User

    return User.objects.filter(membership__organisation__kind=kind, is_active=True)
