from django.db import migrations

COMPONENTS = ["Saldo-API-et", "Maskinporten", "Altinn samtykke", "Forvaltningsportalen"]


def add_components(apps, schema_editor):
    Component = apps.get_model("notices", "Component")
    for position, name in enumerate(COMPONENTS):
        Component.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(add_components, migrations.RunPython.noop)]
