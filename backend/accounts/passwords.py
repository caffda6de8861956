"""Password hashing with pwdlib's recommended hasher (Argon2id): nothing here is home-made cryptography."""

from pwdlib import PasswordHash

_HASHER = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password: str, password_hash: str) -> bool:
    return _HASHER.verify(password, password_hash)
