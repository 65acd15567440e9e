"""The OpenAPI 3 description of the Saldo API, written by hand after the published contract.

The 200 example is computed by the balance engine from a published test customer's ledger, so
the example and the service can never disagree.
"""

import datetime as dt
import functools

from .api import accounts_body, error_body
from .engine import compute_balance
from .errors import TITLES
from .models import SALDO_SCOPE
from .testcustomers import load_test_customers, test_customer_ledgers

EXAMPLE_AS_OF = dt.date(2026, 11, 30)
EXAMPLE_REQUEST_ID = "3f1c2a9e-8d4b-4c6f-9a51-0b7e2d6c4f10"


@functools.lru_cache(maxsize=1)
def _examples():
    customers = {c.case: c for c in load_test_customers()}
    ledgers = test_customer_ledgers()
    all_four = customers["7"]
    no_debt = customers["2"]
    return {
        "all_four": accounts_body(all_four.fnr,
                                  compute_balance(ledgers[all_four.fnr], EXAMPLE_AS_OF)),
        "no_debt": accounts_body(no_debt.fnr,
                                 compute_balance(ledgers[no_debt.fnr], EXAMPLE_AS_OF)),
        "all_four_name": all_four.name,
    }


def _header(name, description, schema, *, required=True, example=None):
    return {"name": name, "in": "header", "required": required, "description": description,
            "schema": schema, **({"example": example} if example else {})}


def _error(status, detail, summary=None):
    return {
        "description": TITLES[status],
        "headers": {"X-Request-Id": _REQUEST_ID_ECHO},
        "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "examples": {"error": {"summary": summary or detail,
                                   "value": error_body(status, TITLES[status], detail,
                                                       EXAMPLE_REQUEST_ID)}},
        }},
    }


# Echoed when the call's X-Request-Id was well-formed; otherwise the server makes one up
# ("srv-…") so that support still has something to search for.
_REQUEST_ID_ECHO = {"description": "The call's X-Request-Id (or one the server made up)",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 100}}

# What the API checks, as patterns a generator can honour. The fødselsnummer's two mod-11
# check digits cannot be written as a pattern: eleven digits with wrong check digits are
# refused with 400, as documented there.
FNR_PATTERN = r"^[0-9]{11}$"
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,100}$"
# A JWT (three base64url parts), optionally in the quote marks Altinn sometimes adds.
CONSENT_PATTERN = r"^[\"']?[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*[\"']?$"
MAX_HEADER_LENGTH = 16_384

MISSING_CREDENTIALS = (
    "A missing ApiKey or Authorization header is a malformed call, as in Lånekassen's "
    "contract: 400, not 401. A present but wrong, expired or other environment's key or token "
    "is 401.")


def spec(base_url: str = "") -> dict:
    examples = _examples()
    base = base_url.rstrip("/")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Saldo på studielån",
            "version": "1.0.0",
            "description": (
                "Lånekassen's student-loan balance for a customer who has consented, for the "
                "customer's bank (finansforetak). The amounts are booked balances "
                "(closingBooked) in NOK, in øre; interest accrued since the last booking is "
                "not included. Sub-accounts that are zero are left out, so a customer has 0–4 "
                "accounts: Lån, Renter, Gebyr, Omkostninger. TotalAmount is their sum and can "
                "be negative while an overpayment is being refunded.\n\n"
                "The test environment serves the published synthetic test customers. "
                "Every call is logged with its X-Request-Id; give that id when you report an "
                "error."),
        },
        "servers": [
            {"url": f"{base}/test", "description": "Test"},
            {"url": base or "/", "description": "Produksjon"},
        ],
        "paths": {"/saldo/v1/Accounts": {"get": {
            "operationId": "getAccounts",
            "summary": "The customer's student-loan balance by sub-account",
            "security": [{"ApiKey": [], "Maskinporten": []}],
            "parameters": [
                _header("Consent-ID",
                        "The Altinn consent token (service 5498, edition 1) in which the "
                        "customer consents to the bank. Quote marks around it are removed. "
                        "May be left out when the access token carries an Altinn 3 consent "
                        "(authorization_details of type urn:altinn:consent), or when a call "
                        "for the same customer has succeeded with a consent that has not "
                        "expired (the consent is cached until then). Sent empty it is 400. A "
                        "token that is not a valid consent for this customer and bank is 403.",
                        {"type": "string", "pattern": CONSENT_PATTERN,
                         "maxLength": MAX_HEADER_LENGTH},
                        required=False),
                _header("PSU_ID",
                        "The customer's fødselsnummer: 11 digits whose two check digits are "
                        "right (else 400).",
                        {"type": "string", "pattern": FNR_PATTERN, "minLength": 11,
                         "maxLength": 11},
                        example="04125300311"),
                _header("X-Request-Id",
                        "Unique per call, 1–100 characters of A–Z a–z 0–9 . _ : - "
                        "(a UUID is a good choice). Logged for support. Missing or "
                        "malformed is 400.",
                        {"type": "string", "pattern": REQUEST_ID_PATTERN, "minLength": 1,
                         "maxLength": 100},
                        example=EXAMPLE_REQUEST_ID),
            ],
            "responses": {
                "200": {
                    "description": "The balance",
                    "headers": {"X-Request-Id": _REQUEST_ID_ECHO},
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Accounts"},
                        "examples": {
                            "all_four": {"summary": "All four sub-accounts "
                                                    f"({examples['all_four_name']})",
                                         "value": examples["all_four"]},
                            "no_debt": {"summary": "No debt (grant only or paid off)",
                                        "value": examples["no_debt"]},
                        },
                    }},
                },
                "400": {**_error(400, "PSU_ID is not a valid 11-digit fødselsnummer"),
                        "description": f"{TITLES[400]}. {MISSING_CREDENTIALS}"},
                "401": _error(401, "token has expired"),
                "403": _error(403, "consent is given by another person"),
                "404": _error(404, "no borrower with this PSU_ID"),
                "429": {**_error(429, "more than 50 calls in 1 s from this bank"),
                        "headers": {"X-Request-Id": _REQUEST_ID_ECHO, "Retry-After": {
                            "description": "Seconds to wait before calling again",
                            "schema": {"type": "integer"}}}},
                "500": _error(500, "", "Unknown error"),
            },
        }}},
        "components": {"securitySchemes": {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "ApiKey",
                       "description": "The bank's API key for this environment, from "
                                      "onboarding: slk_test_… or slk_prod_…. "
                                      + MISSING_CREDENTIALS},
            "Maskinporten": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "A Maskinporten access token with the scope "
                                            f"{SALDO_SCOPE}, issued to the bank (consumer "
                                            "0192:<orgnr>). The token alone, without "
                                            "'Bearer ' (tolerated). Valid up to 120 s; may be "
                                            "reused between calls. " + MISSING_CREDENTIALS},
        }, "schemas": {
            "Amount": {"type": "object", "required": ["currency", "amount"], "properties": {
                "currency": {"type": "string", "enum": ["NOK"]},
                "amount": {"type": "number", "format": "decimal", "multipleOf": 0.01}}},
            "Balance": {"type": "object", "properties": {
                "BalanceType": {"type": "string", "enum": ["closingBooked"]},
                "BalanceAmount": {"$ref": "#/components/schemas/Amount"},
                "LastChangeDateTime": {"type": "string", "format": "date-time",
                                       "nullable": True}}},
            "Account": {"type": "object", "properties": {
                "Balances": {"type": "array", "items": {"$ref": "#/components/schemas/Balance"}},
                "Name": {"type": "string", "enum": ["Lån", "Renter", "Gebyr", "Omkostninger"]},
                "Bban": {"type": "string", "description": "The customer's fødselsnummer"}}},
            "Accounts": {"type": "object", "required": ["Accounts", "TotalAmount"],
                         "properties": {
                             "Accounts": {"type": "array", "maxItems": 4,
                                          "items": {"$ref": "#/components/schemas/Account"}},
                             "TotalAmount": {"type": "number", "format": "decimal",
                                             "multipleOf": 0.01}}},
            "Error": {"type": "object", "required": ["status", "title", "requestId"],
                      "additionalProperties": False,
                      "properties": {
                          "status": {"type": "integer", "enum": sorted(TITLES)},
                          "title": {"type": "string", "enum": sorted(set(TITLES.values()))},
                          "detail": {"type": "string",
                                     "description": "Why, in English; empty for 500"},
                          "requestId": {"type": "string", "maxLength": 100,
                                        "description": "The call's X-Request-Id, or one "
                                                       "the server made up (srv-…)"}}},
        }},
    }
