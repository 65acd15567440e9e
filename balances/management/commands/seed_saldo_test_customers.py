from django.core.management.base import BaseCommand

from balances.services import test_customers_seed


class Command(BaseCommand):
    help = ("Seed the Saldo API's test environment: the published synthetic test customers with "
            "their ledgers, and the interest-rate table. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        borrowers = test_customers_seed()
        if not quiet:
            self.stdout.write(f"Saldo API: {len(borrowers)} test customers seeded "
                              "(test environment).")
