"""CSV exports without spreadsheet formula injection.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken for a
formula by Excel and LibreOffice; text from users (a bank's name, a summary, a request id)
could then run one. ``csv_safe`` puts an apostrophe in front of such text so it is shown as
written; ``csv_writer`` applies it to every cell of every row. Every export uses
``csv_writer``.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """`value` as a cell that is never read as a formula. None is an empty cell; numbers,
    dates and other values that are not text are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_safe(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(response, *, delimiter=";"):
    """A csv writer on `response` (or any file) that passes every cell through csv_safe.
    The portal's exports use `;`, which Excel in a Norwegian locale expects."""
    return _SafeWriter(csv.writer(response, delimiter=delimiter))
