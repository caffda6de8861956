"""How a receiver knows a POST came from this server and is fresh: HMAC-SHA256 over `<timestamp>.<body>` with the
project's secret, in `X-Visionflow-Signature: sha256=<hex>`, the timestamp (Unix seconds) in its own header. Signing
the timestamp lets a receiver refuse an old POST replayed later (docs/notifications.md shows the check)."""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Visionflow-Signature"
TIMESTAMP_HEADER = "X-Visionflow-Timestamp"
DELIVERY_HEADER = "X-Visionflow-Delivery"  # the same on every attempt of one delivery: a receiver may drop repeats
EVENT_HEADER = "X-Visionflow-Event"  # run.finished | test
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """256 random bits, URL-safe: generated here, never chosen by a person."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int, delivery_id: str, event: str) -> dict[str, str]:
    stamp = str(timestamp)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Visionflow-Webhook/1",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature(secret, stamp, body),
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event,
    }
