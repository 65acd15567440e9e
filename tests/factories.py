import factory
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Membership, Organisation, User

TOTP_SECRET = "JBSWY3DPEHPK3PXP"
PASSWORD = "et-godt-testpassord-1"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["orgnr"]

    name = factory.Sequence(lambda n: f"Testbank {n}")
    orgnr = factory.Sequence(lambda n: f"{300000000 + n}")
    kind = Organisation.Kind.BANK


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_after(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member_of(organisation, *, role=Membership.Role.MEMBER, totp=False, **user_kwargs):
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if totp:
        TOTP.activate(user, TOTP_SECRET)
    return user
