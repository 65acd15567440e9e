"""The fan-out jobs, deliveries, webhooks and acknowledgement fields that moved to the
notifications app (copied there by 0003)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0003_channels_in_notifications"),
    ]

    operations = [
        migrations.DeleteModel(name="WebhookAttempt"),
        migrations.DeleteModel(name="NoticeDelivery"),
        migrations.DeleteModel(name="WebhookEndpoint"),
        migrations.DeleteModel(name="FanoutJob"),
        migrations.RemoveField(model_name="noticerecipient", name="acknowledged_at"),
        migrations.RemoveField(model_name="noticerecipient", name="acknowledged_by"),
        migrations.RemoveField(model_name="noticerecipient", name="last_reminded_at"),
        migrations.RemoveField(model_name="noticerecipient", name="reminders_sent"),
    ]
