"""The demo organisations and logins (embedded default only)."""

DEMO_PASSWORD = "demo-passord-1"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"

ORGANISATIONS = {
    "bank-a": {"name": "Demo Bank A", "orgnr": "910000004", "kind": "bank"},
    "bank-b": {"name": "Demo Bank B", "orgnr": "920000002", "kind": "bank"},
    "bits": {"name": "Bits AS", "orgnr": "916000006", "kind": "bits"},
    "lanekassen": {"name": "Statens lånekasse for utdanning", "orgnr": "960885406",
                   "kind": "lanekassen"},
}

USERS = [
    # email, name, organisation, role, totp, django admin
    ("bank-a@example.com", "Berit Bankansatt", "bank-a", "member", False, False),
    ("bank-a-admin@example.com", "Anders Bankadmin", "bank-a", "admin", False, False),
    ("bank-b@example.com", "Bjørn Bank B", "bank-b", "member", False, False),
    ("bits@example.com", "Hanne Bits", "bits", "member", True, False),
    ("lanekassen@example.com", "Live Lånekassen", "lanekassen", "admin", True, True),
]

CONTACT_POINTS = {
    "bank-a": [("business", "Kari Forretning", "forretning@bank-a.example.com", "+4722000001"),
               ("technical", "Tor Teknisk", "teknisk@bank-a.example.com", "+4722000002"),
               ("security", "Siri Sikkerhet", "sikkerhet@bank-a.example.com", "+4722000003")],
    "bank-b": [("business", "Per Forretning", "forretning@bank-b.example.com", "+4722000011"),
               ("technical", "Tina Teknisk", "teknisk@bank-b.example.com", "+4722000012"),
               ("security", "Sam Sikkerhet", "sikkerhet@bank-b.example.com", "+4722000013")],
}

# --- Onboarding (process A) -----------------------------------------------------------------
# Demo Bank A is in production; its API keys are fixed here so that `make run` can print them
# (api_key_issue accepts a chosen key only while DEMO_DATA_ALLOWED). Never use these elsewhere.
DEMO_API_KEYS = {
    "test": "slk_test_demobanka_0123456789abcdefghijklmnopqrstuv",
    "production": "slk_prod_demobanka_0123456789abcdefghijklmnopqrstuv",
}
TERMS_VERSION = "1.0"
TERMS_TEXT = """Tjenestebeskrivelse og bruksvilkår for Saldo på studielån (demo)

1. Tjenesten
Lånekassen gir finansforetak tilgang til saldoen på kundens studielån gjennom Saldo-API-et, når
kunden har samtykket i Altinn.

2. Bankens plikter
Banken henter saldo bare med gyldig samtykke, beskytter API-nøklene, og melder sikkerhetsbrudd
til Lånekassen og Bits uten ugrunnet opphold.

3. Forvaltning
Varsling, feilmelding, spørsmål og endringsønsker går gjennom forvaltningsportalen."""

# A bank in the middle of onboarding: registered, approved, signed, test access ordered by Bits
# and waiting for Lånekassen to grant it.
ONBOARDING_BANK = {
    "orgnr": "310000001", "name": "Demo Sparebank C",
    "admin": ("bank-c-admin@example.com", "Cecilie Sparebank C"),
    "contact_points": [
        {"kind": "business", "name": "Carl Forretning", "email": "forretning@bank-c.example.com",
         "phone": "+4722000021"},
        {"kind": "technical", "name": "Cato Teknisk", "email": "teknisk@bank-c.example.com",
         "phone": "+4722000022"},
        {"kind": "security", "name": "Cora Sikkerhet", "email": "sikkerhet@bank-c.example.com",
         "phone": "+4722000023"},
    ],
    "test_endpoints": ["api.test.bank-c.example.com", "192.0.2.0/28"],
}
