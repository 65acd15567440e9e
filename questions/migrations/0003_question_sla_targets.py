"""First-response and resolution targets for questions, per category, in business minutes on
Bits' opening hours (a working day counted as 7 hours). Data Lånekassen's admins edit in the
admin afterwards (casework.SlaTarget, process "question")."""

from django.db import migrations

DAY = 7 * 60

# category: (first response, resolution)
QUESTION_TARGETS = {
    "technical": (4 * 60, 3 * DAY),
    "professional": (DAY, 10 * DAY),  # professional guidance usually needs Lånekassen
    "onboarding": (4 * 60, 3 * DAY),
    "agreement": (DAY, 10 * DAY),
    "other": (DAY, 5 * DAY),
}


def forwards(apps, schema_editor):
    SlaTarget = apps.get_model("casework", "SlaTarget")
    for category, (first, resolution) in QUESTION_TARGETS.items():
        SlaTarget.objects.get_or_create(
            process="question", severity=category,
            defaults={"first_response_minutes": first, "resolution_minutes": resolution})


def backwards(apps, schema_editor):
    SlaTarget = apps.get_model("casework", "SlaTarget")
    SlaTarget.objects.filter(process="question", severity__in=QUESTION_TARGETS).delete()


class Migration(migrations.Migration):
    dependencies = [("questions", "0002_trigram_extension"),
                    ("casework", "0002_default_sla_and_opening_hours")]
    operations = [migrations.RunPython(forwards, backwards)]
