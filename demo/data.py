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
