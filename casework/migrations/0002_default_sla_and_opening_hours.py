"""Bits' opening hours (DESIGN.md §1) and the first SLA targets for error reports.

Both are data Lånekassen admins edit in the admin afterwards.
"""

import datetime

from django.db import migrations

OPENING_HOURS = [
    ("Vinter (15.09–14.05)", 9, 15, 5, 14, datetime.time(8, 0), datetime.time(15, 45)),
    ("Sommer (15.05–14.09)", 5, 15, 9, 14, datetime.time(8, 0), datetime.time(15, 0)),
]

# severity: (first response, resolution) in business minutes
INCIDENT_TARGETS = {
    "critical": (30, 4 * 60),
    "high": (2 * 60, 2 * 7 * 60),
    "normal": (4 * 60, 5 * 7 * 60),
    "low": (2 * 7 * 60, 10 * 7 * 60),
}


def forwards(apps, schema_editor):
    OpeningHours = apps.get_model("casework", "OpeningHours")
    SlaTarget = apps.get_model("casework", "SlaTarget")
    for name, fm, fd, tm, td, opens, closes in OPENING_HOURS:
        OpeningHours.objects.get_or_create(
            name=name, defaults=dict(from_month=fm, from_day=fd, to_month=tm, to_day=td,
                                     opens=opens, closes=closes))
    for severity, (first, resolution) in INCIDENT_TARGETS.items():
        SlaTarget.objects.get_or_create(
            process="incident", severity=severity,
            defaults=dict(first_response_minutes=first, resolution_minutes=resolution))


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
