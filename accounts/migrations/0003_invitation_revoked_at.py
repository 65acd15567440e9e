from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_membership_can_sign_contactpoint_confirmed_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='trukket tilbake'),
        ),
    ]
