from django.db import migrations


def default_weights(apps, schema_editor):
    # The one row of weights, with the defaults; Bits edits it on the prioritisation page.
    PriorityWeights = apps.get_model("changerequests", "PriorityWeights")
    if not PriorityWeights.objects.exists():
        PriorityWeights.objects.create()


class Migration(migrations.Migration):
    dependencies = [("changerequests", "0001_initial")]

    operations = [migrations.RunPython(default_weights, migrations.RunPython.noop)]
