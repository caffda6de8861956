"""API tokens: `vf_` + 32 random bytes, shown once at creation and stored only as their SHA-256 (a token is random
and long, so a fast hash is enough; passwords, chosen by people, get Argon2)."""

import hashlib
import secrets

PREFIX = "vf_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
