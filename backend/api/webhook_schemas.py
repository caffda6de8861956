"""Request and response bodies of a project's webhook (backend/api/webhooks.py)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.notifications.urls import MAX_URL_LENGTH


class WebhookWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="http:// or https://, no user name or password; a public address unless the server allows others",
    )
    enabled: bool = True


class WebhookRead(BaseModel):
    url: str
    enabled: bool
    secret: str = Field(description="Signs every POST (HMAC-SHA256, docs/notifications.md); owners only")
    private_addresses_allowed: bool = Field(description="Whether the server sends to loopback and private addresses")
    created_at: datetime
    updated_at: datetime


class DeliveryRead(BaseModel):
    id: str
    event: Literal["run.finished", "test"]
    run_id: str | None
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_ts: float | None = Field(description="Unix seconds of the next try, while pending")
    last_http_status: int | None
    last_error: str
    response_excerpt: str
    created_at: datetime
    delivered_at: datetime | None
