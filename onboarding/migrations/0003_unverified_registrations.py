"""Banks whose registration Bits has not verified (still submitted, returned or rejected) are
marked unverified (accounts.Organisation.is_verified, issue 14)."""

from django.db import migrations

UNVERIFIED = ["submitted", "returned", "rejected"]


def mark_unverified(apps, schema_editor):
    OnboardingCase = apps.get_model("onboarding", "OnboardingCase")
    Organisation = apps.get_model("accounts", "Organisation")
    ids = OnboardingCase.objects.filter(status__in=UNVERIFIED).values_list("organisation_id",
                                                                          flat=True)
    Organisation.objects.filter(pk__in=list(ids)).update(is_verified=False)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_organisation_is_verified"),
        ("onboarding", "0002_onboarding_case_on_the_kernel_suspension_in_balances"),
    ]

    operations = [migrations.RunPython(mark_unverified, migrations.RunPython.noop)]
