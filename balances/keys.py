"""API keys: generation and hashing. Keys are 256-bit random, so a plain SHA-256 is enough to
store them (no dictionary to attack); lookups go by hash, and the final comparison is made in
constant time."""

import hashlib
import hmac
import secrets

KEY_PREFIX_LEN = 12


def generate_key(environment: str) -> str:
    tag = "test" if environment == "test" else "prod"
    return f"slk_{tag}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    return key[:KEY_PREFIX_LEN + 9]  # "slk_test_" / "slk_prod_" + 12 characters


def hashes_match(stored_hash: str, presented_key: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_key(presented_key))
