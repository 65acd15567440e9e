"""The onboarding case on the case kernel (casework.CaseBase), and its suspension fields gone:
a bank's suspension lives only on balances' ApiAccess rows, which the API checks.

ApiAccess already carries suspended_at and suspended_reason, written together with the case's
copy by every suspension, so there is nothing to copy. Before the case's copy is dropped, a
case that says "suspended" while none of its bank's live access rows does is reconciled onto
those rows, so no suspension is lost with the column.
"""

import django.utils.timezone
import django_fsm
from django.db import migrations, models


def suspension_onto_access_rows(apps, schema_editor):
    OnboardingCase = apps.get_model("onboarding", "OnboardingCase")
    ApiAccess = apps.get_model("balances", "ApiAccess")
    for case in OnboardingCase.objects.filter(suspended_at__isnull=False).exclude(
            status="offboarded"):
        live = ApiAccess.objects.filter(organisation_id=case.organisation_id,
                                        offboarded_at__isnull=True)
        if not live.filter(suspended_at__isnull=False).exists():
            live.update(suspended_at=case.suspended_at,
                        suspended_reason=case.suspension_reason)


class Migration(migrations.Migration):

    dependencies = [
        ("balances", "0002_saldo_api_ledger_and_log"),
        ("onboarding", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(suspension_onto_access_rows, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="onboardingcase",
            name="suspended_at",
        ),
        migrations.RemoveField(
            model_name="onboardingcase",
            name="suspension_reason",
        ),
        migrations.AlterField(
            model_name="onboardingcase",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now,
                                       verbose_name="opprettet"),
        ),
        migrations.AlterField(
            model_name="onboardingcase",
            name="status",
            field=django_fsm.FSMField(
                choices=[("submitted", "Registrert – til kontroll hos Bits"),
                         ("returned", "Returnert til banken for endringer"),
                         ("rejected", "Avvist"),
                         ("awaiting_signature", "Venter på signering av bruksvilkår"),
                         ("awaiting_test_order", "Venter på at Bits bestiller testtilgang"),
                         ("test_ordered", "Testtilgang bestilt – hos Lånekassen"),
                         ("testing", "Integrasjonstest pågår"),
                         ("test_review", "Integrasjonstest til godkjenning hos Bits"),
                         ("awaiting_readiness", "Venter på klarmelding for produksjon"),
                         ("production_requested", "Produksjonstilgang hos Lånekassen"),
                         ("awaiting_routines", "Venter på bekreftelse av forvaltningsrutiner"),
                         ("completed", "I produksjon"),
                         ("offboarded", "Avsluttet")],
                db_index=True, default="submitted", max_length=32, protected=True,
                verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="onboardingcase",
            name="status_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now,
                                       verbose_name="status endret"),
        ),
    ]
