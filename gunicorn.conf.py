"""Gunicorn settings, read from the working directory.

The Saldo API's published contract has a header with an underscore, PSU_ID. Gunicorn drops such
headers unless they are listed here (and the request comes from a trusted proxy address,
FORWARDED_ALLOW_IPS; 127.0.0.1 by default).
"""

forwarder_headers = "SCRIPT_NAME,PATH_INFO,PSU_ID"
