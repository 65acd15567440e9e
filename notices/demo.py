"""Demo data for notices (`make run`): a critical fault in production that the banks are asked
to acknowledge, a maintenance window in the test environment the day after tomorrow, and a fault
that is over. Published to the banks with access, so a bank's home page has a notice to
acknowledge and Lånekassen's pages show acknowledgements and deliveries.

Called by `demo`'s seed command with Lånekassen's demo user; every write goes through the
services, as a person would make it (the fan-out runs when the seed commits). Idempotent: what
exists (by title) is left alone.
"""

from datetime import timedelta

from django.utils import timezone

from .models import Component, Notice
from .services import notice_create, notice_publish, notice_resolve

CRITICAL = "Forsinkede saldoer i produksjon"
MAINTENANCE = "Planlagt vedlikehold av testmiljøet"
RESOLVED = "Tidsavbrudd mot Altinn samtykke"


def seed_notices(*, lanekassen):
    api = Component.objects.get(name="Saldo-API-et")
    titles = set(Notice.objects.values_list("title", flat=True))
    if RESOLVED not in titles:
        over = notice_create(
            by=lanekassen, kind="fault", severity="minor", environments=["production"],
            components=[Component.objects.get(name="Altinn samtykke")], title=RESOLVED,
            body="Noen kall med Consent-ID fikk tidsavbrudd mot Altinn. Vi følger med.")
        notice_publish(notice=over, by=lanekassen)
        notice_resolve(notice=Notice.objects.get(pk=over.pk), by=lanekassen,
                       note="Altinn har rettet feilen. Kallene går som normalt igjen.")
    if MAINTENANCE not in titles:
        start = (timezone.localtime() + timedelta(days=2)).replace(hour=18, minute=0, second=0,
                                                                   microsecond=0)
        maintenance = notice_create(
            by=lanekassen, kind="maintenance", severity="major", environments=["test"],
            components=[api], title=MAINTENANCE, window_start=start,
            window_end=start + timedelta(hours=2),
            body="Testmiljøet er utilgjengelig mens vi oppgraderer databasen. Produksjon "
                 "berøres ikke.")
        notice_publish(notice=maintenance, by=lanekassen)
    if CRITICAL not in titles:
        critical = notice_create(
            by=lanekassen, kind="fault", severity="critical", environments=["production"],
            components=[api], title=CRITICAL,
            body="Saldoer oppdatert etter kl. 06 kan mangle i svaret fra Saldo-API-et. Vi "
                 "feilsøker og melder når det er rettet. **Bekreft at dere har lest.**")
        notice_publish(notice=critical, by=lanekassen)
