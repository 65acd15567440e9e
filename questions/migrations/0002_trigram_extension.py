"""pg_trgm, for the FAQ's typo-tolerant search (questions/search.py). Django's CreateExtension
does nothing on other databases (SQLite: the embedded default searches without it)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]
    operations = [TrigramExtension()]
