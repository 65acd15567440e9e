import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0003_field_names_in_norwegian"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedFilter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("case_type_key", models.CharField(max_length=40, verbose_name="sakstype")),
                ("name", models.CharField(max_length=80, verbose_name="navn")),
                ("querystring", models.CharField(blank=True, max_length=1000,
                                                 verbose_name="filter")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now,
                                                    verbose_name="lagret")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="saved_filters",
                                           to=settings.AUTH_USER_MODEL, verbose_name="bruker")),
            ],
            options={
                "verbose_name": "lagret filter",
                "verbose_name_plural": "lagrede filtre",
                "ordering": ["name", "pk"],
                "constraints": [models.UniqueConstraint(fields=("user", "case_type_key", "name"),
                                                        name="saved_filter_unique_name")],
            },
        ),
    ]
