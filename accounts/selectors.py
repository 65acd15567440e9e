from datetime import timedelta

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
    """The organisations `user` may invite into (accounts.permissions.can_invite)."""
    if is_bits(user):
        return Organisation.objects.filter(
            kind__in=[Organisation.Kind.BITS, Organisation.Kind.BANK])
    if is_org_admin(user):
        return Organisation.objects.filter(pk=user.membership.organisation_id)
    return Organisation.objects.none()


def invitation_get_usable(*, token):
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    return invitation if invitation and invitation.is_usable else None


def users_in_org_kind(kind):
    from .models import User

    return User.objects.filter(membership__organisation__kind=kind, is_active=True)


# Contact points are re-confirmed by the bank's admin every 12 months.
CONTACT_POINT_CONFIRM_INTERVAL = timedelta(days=365)


def contact_points_for_organisation(*, organisation):
    from .models import ContactPoint

    order = {k: i for i, k in enumerate(ContactPoint.Kind.values)}
    return sorted(ContactPoint.objects.filter(organisation=organisation),
                  key=lambda cp: (order.get(cp.kind, 99), cp.pk))


def contact_points_overdue_organisations(*, now=None):
    """Banks with a contact point not confirmed in the last 12 months (or never), with
    `oldest_confirmation` (None if one was never confirmed)."""
    from django.db.models import Exists, Min, OuterRef, Q
    from django.utils import timezone

    from .models import ContactPoint

    now = now or timezone.now()
    cutoff = now - CONTACT_POINT_CONFIRM_INTERVAL
    overdue = ContactPoint.objects.filter(organisation=OuterRef("pk")).filter(
        Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=cutoff))
    never = ContactPoint.objects.filter(organisation=OuterRef("pk"), confirmed_at__isnull=True)
    orgs = (Organisation.objects.filter(kind=Organisation.Kind.BANK)
            .annotate(is_overdue=Exists(overdue), never_confirmed=Exists(never),
                      oldest_confirmation=Min("contact_points__confirmed_at"))
            .filter(is_overdue=True).order_by("oldest_confirmation", "name"))
    result = list(orgs)
    for org in result:
        if org.never_confirmed:
            org.oldest_confirmation = None
    return result


def contact_point_is_overdue(contact_point, now=None):
    from django.utils import timezone

    now = now or timezone.now()
    return (contact_point.confirmed_at is None
            or contact_point.confirmed_at < now - CONTACT_POINT_CONFIRM_INTERVAL)


def membership_get_for_admin(*, user, pk):
    """A membership in the admin's own organisation; 404 for anyone else's."""
    from django.http import Http404

    from .permissions import can_manage_members

    membership = Membership.objects.select_related("user", "organisation").filter(pk=pk).first()
    if membership is None or not can_manage_members(user, membership.organisation):
        raise Http404
    return membership


def contact_point_get_for_admin(*, user, pk):
    from django.http import Http404

    from .models import ContactPoint
    from .permissions import can_manage_members

    contact_point = ContactPoint.objects.select_related("organisation").filter(pk=pk).first()
    if contact_point is None or not can_manage_members(user, contact_point.organisation):
        raise Http404
    return contact_point


def bank_organisations(*, user):
    """Banks, for Bits' and Lånekassen's filters; nobody else gets a list of banks."""
    from .permissions import is_staff_side

    if not is_staff_side(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name")
