import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


def trigram_extension(apps, schema_editor):
    # Similar requests use pg_trgm's similarity on PostgreSQL; SQLite has no extensions.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_invitation_revoked_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(trigram_extension, migrations.RunPython.noop),
        migrations.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=20, unique=True, verbose_name='referanse')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='opprettet')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('status_changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='status endret')),
                ('origin', models.CharField(choices=[('bank', 'Bank (E.1)'), ('lanekassen', 'Lånekassen (E.2)')], default='bank', max_length=20, verbose_name='foreslått av')),
                ('title', models.CharField(max_length=200, verbose_name='tittel')),
                ('problem', models.TextField(verbose_name='problem')),
                ('proposal', models.TextField(verbose_name='foreslått endring')),
                ('benefit', models.TextField(verbose_name='nytte')),
                ('urgency', models.CharField(choices=[('low', 'Lav'), ('medium', 'Middels'), ('high', 'Høy')], default='medium', max_length=10, verbose_name='hastegrad')),
                ('part', models.CharField(choices=[('api', 'API-felter og koder'), ('consent', 'Samtykke'), ('onboarding', 'Onboarding'), ('routines', 'Forvaltningsrutiner'), ('portal', 'Portalen'), ('other', 'Annet')], max_length=20, verbose_name='del av tjenesten')),
                ('status', django_fsm.FSMField(choices=[('draft', 'Utkast'), ('submitted', 'Til kontroll hos Bits'), ('returned', 'Returnert til banken'), ('open', 'Åpen for innspill'), ('recommended', 'Behandlet i Fagutvalget'), ('with_lanekassen', 'Til beslutning hos Lånekassen'), ('accepted', 'Planlagt'), ('deferred', 'Utsatt'), ('in_development', 'Under utvikling'), ('in_test', 'Levert i test'), ('in_production', 'Levert i produksjon'), ('not_forwarded', 'Ikke sendt videre'), ('rejected', 'Avvist'), ('merged', 'Slått sammen')], db_index=True, default='draft', max_length=32, protected=True, verbose_name='status')),
                ('opened_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='åpnet for alle banker')),
                ('impact_requested', models.BooleanField(default=False, verbose_name='bankene er bedt om konsekvensvurdering')),
                ('value', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='verdi')),
                ('effort', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='innsats')),
                ('forum_meeting_on', models.DateField(blank=True, db_index=True, null=True, verbose_name='Fagutvalgets møte')),
                ('planned_release', models.CharField(blank=True, db_index=True, max_length=40, verbose_name='planlagt release')),
                ('deferred_until', models.DateField(blank=True, db_index=True, null=True, verbose_name='utsatt til')),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='changerequests.changerequest', verbose_name='slått sammen med')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='bank')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='foreslått av')),
            ],
            options={
                'verbose_name': 'endringsønske',
                'verbose_name_plural': 'endringsønsker',
                'ordering': ['-created_at'],
            },
            bases=(django_fsm.FSMModelMixin, models.Model),
        ),
        migrations.CreateModel(
            name='GovernanceDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.CharField(choices=[('forum', 'Fagutvalget'), ('reference_group', 'Referansegruppe Bank'), ('lanekassen', 'Lånekassen'), ('development', 'Utvikling'), ('test', 'Levert i test'), ('production', 'Levert i produksjon')], max_length=20, verbose_name='steg')),
                ('outcome', models.CharField(choices=[('recommended', 'Anbefalt'), ('not_recommended', 'Ikke anbefalt'), ('forwarded', 'Sendt til Lånekassen'), ('not_forwarded', 'Ikke sendt videre'), ('accepted', 'Akseptert'), ('rejected', 'Avvist'), ('deferred', 'Utsatt'), ('started', 'Utvikling startet'), ('delivered', 'Levert')], max_length=20, verbose_name='utfall')),
                ('decided_on', models.DateField(verbose_name='dato')),
                ('rationale', models.TextField(blank=True, verbose_name='begrunnelse')),
                ('planned_release', models.CharField(blank=True, max_length=40, verbose_name='planlagt release')),
                ('deferred_until', models.DateField(blank=True, null=True, verbose_name='utsatt til')),
                ('impact', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='konsekvens for bankene')),
                ('effort', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='innsats')),
                ('notice_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('notice_reference', models.CharField(blank=True, max_length=20, verbose_name='endringsvarsel')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='registrert')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registrert av')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='changerequests.changerequest')),
            ],
            options={
                'verbose_name': 'behandling',
                'verbose_name_plural': 'behandlinger',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PriorityWeights',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('support', models.PositiveSmallIntegerField(default=40, verbose_name='vekt for støtte')),
                ('urgency', models.PositiveSmallIntegerField(default=20, verbose_name='vekt for hastegrad')),
                ('value', models.PositiveSmallIntegerField(default=25, verbose_name='vekt for verdi')),
                ('effort', models.PositiveSmallIntegerField(default=15, verbose_name='vekt for (lav) innsats')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'prioriteringsvekter',
                'verbose_name_plural': 'prioriteringsvekter',
            },
        ),
        migrations.CreateModel(
            name='Follower',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followers', to='changerequests.changerequest')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'følger',
                'verbose_name_plural': 'følgere',
                'constraints': [models.UniqueConstraint(fields=('request', 'user'), name='unique_change_request_follower')],
            },
        ),
        migrations.CreateModel(
            name='ImpactAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('none', 'Ingen'), ('some', 'Noe'), ('major', 'Stor')], max_length=10, verbose_name='konsekvens')),
                ('comment', models.TextField(blank=True, verbose_name='kommentar')),
                ('answered_at', models.DateTimeField(auto_now=True, verbose_name='svart')),
                ('answered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='svart av')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='bank')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='impact_answers', to='changerequests.changerequest')),
            ],
            options={
                'verbose_name': 'konsekvensvurdering',
                'verbose_name_plural': 'konsekvensvurderinger',
                'ordering': ['organisation__name'],
                'constraints': [models.UniqueConstraint(fields=('request', 'organisation'), name='unique_change_request_impact_answer')],
            },
        ),
        migrations.CreateModel(
            name='Vote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='gitt')),
                ('cast_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='gitt av')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='bank')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='changerequests.changerequest')),
            ],
            options={
                'verbose_name': 'støtte',
                'verbose_name_plural': 'støtte',
                'ordering': ['created_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('request', 'organisation'), name='unique_change_request_vote')],
            },
        ),
    ]
