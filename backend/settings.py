"""Server settings, from VISIONFLOW_* environment variables."""

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The loopback names: what a browser on this machine sends as Host (any port). backend/security.py refuses the rest.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
WARM_WORKER_MIN_MEMORY = 8 * 1024**3  # below it a warm worker's ~0.5 GB is better left to training


def physical_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): assume a small machine
        return 0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VISIONFLOW_")

    data_dir: Path = Path("visionflow-data")
    database_url: str | None = None  # default: SQLite (WAL) in the data dir
    max_concurrent_runs: int = 1  # runs training at once, all projects together
    max_concurrent_runs_per_project: int | None = None  # None: only the global limit
    # How runs execute (docs/cluster.md): "local" (a worker process per run on this machine) or "ray" (a Ray cluster
    # at ray_address; a local Ray started by the server when unset). `pip install -e '.[ray]'` brings Ray.
    runner: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    # A worker says it is alive this often; one silent for heartbeat_timeout_s is stopped and its run failed
    heartbeat_interval_s: float = 5.0
    heartbeat_timeout_s: float = 30.0
    # A live-run WebSocket this far behind (a client that stopped reading) is closed with 1013 and the seq to reconnect
    # after (backend/events/bus.py): the server holds at most this much per socket
    ws_max_behind_events: int = 1000
    ws_max_behind_bytes: int = 4 * 1024 * 1024
    # Worker processes kept prepared (torch, Ultralytics, albumentations imported) so a run starts training at once
    # (backend/runners/warm_pool.py). None: 1 on a machine with at least WARM_WORKER_MIN_MEMORY of RAM, else 0 (an
    # idle warm worker holds ~0.5 GB). 0 turns them off.
    warm_workers: int | None = None
    cancel_grace_s: float = 10.0
    # Run-end webhooks (docs/notifications.md). Addresses that are loopback, private, link-local or otherwise not
    # public are refused unless allowed (docs/security.md says why); each POST waits webhook_timeout_s at most and is
    # tried webhook_attempts times, webhook_retry_first_s apart at first, three times longer each time after.
    webhook_allow_private: bool = False
    webhook_timeout_s: float = 5.0
    webhook_attempts: int = 5
    webhook_retry_first_s: float = 10.0
    # Where people open the app (https://visionflow.example): a notification's link to a run starts with it; unset,
    # the link is the run page's path alone
    public_url: str | None = None
    max_upload_file_bytes: int = 50 * 1024 * 1024
    max_model_upload_bytes: int = 1024 * 1024 * 1024  # pretrained weights: yolov8x-cls.pt is ~110 MB
    # GitHub's release API for official weights (the release Ultralytics 8.4.190 downloads from); tests point it
    # at a local server
    weights_release_url: str = "https://api.github.com/repos/ultralytics/assets/releases/tags/v8.4.0"
    max_image_pixels: int = 50_000_000  # decompression-bomb guard
    # every request body not streamed to disk (JSON): 413 past it, before buffering; the largest legitimate one is a
    # workflow at its size limits (backend/graph/schema.py, ~6 MB) or a bulk label of 15,000 asset ids (~0.6 MB)
    max_json_body_bytes: int = 8 * 1024 * 1024
    frontend_dir: Path = Path(__file__).resolve().parent.parent / "frontend" / "dist"
    # Host names the server answers to, any port (VISIONFLOW_ALLOWED_HOSTS=a.example,b.example); `*`: any name
    allowed_hosts: Annotated[list[str], NoDecode] = list(DEFAULT_ALLOWED_HOSTS)
    # Accounts (docs/security.md). Off (VISIONFLOW_AUTH=off): every request is the one local user, an administrator;
    # `visionflow serve` then refuses to listen on any address but loopback.
    auth: bool = True
    admin_name: str = "admin"  # the first administrator, created at the first start with accounts on and no user
    admin_password: str | None = None  # theirs; none: a random one, in <data_dir>/admin-password.txt until changed
    session_max_age_s: int = 14 * 24 * 3600  # a login lasts this long
    secure_cookies: bool = False  # set behind HTTPS: the session cookie is then sent over HTTPS only
    # Rate limits per client address (backend/rate_limits.py; over them: 429 with Retry-After). Login: a person
    # mistypes a few times; ten a minute stops password guessing at Argon2's pace without locking anyone out.
    login_attempts_per_minute: int = 10
    # Uploads (asset batches, CSV labels, model weights) share one count. The browser sends 15,000 images as 235
    # requests (frontend/src/upload/uploadPlan.ts: batches of at most 64 files / 48 MiB; measured with planBatches
    # on 15,000 files of 2 kB to 750 kB), so two such uploads in one minute stay under 600. Larger images make more
    # requests (938 at 3 MB each), but each carries 48 MiB: 600 a minute would be 28 GiB of images checked per
    # minute, more than the server's image checks get through, so a real upload is never throttled.
    upload_requests_per_minute: int = 600

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return [name.strip() for name in value.split(",") if name.strip()] if isinstance(value, str) else value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'visionflow.db').resolve()}"

    @property
    def resolved_warm_workers(self) -> int:
        if self.warm_workers is not None:
            return max(0, self.warm_workers)
        return 1 if physical_memory_bytes() >= WARM_WORKER_MIN_MEMORY else 0

    @property
    def assets_dir(self) -> Path:
        return self.data_dir / "assets"

    @property
    def thumbs_dir(self) -> Path:
        return self.data_dir / "thumbs"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def model_store(self) -> Path:
        return self.data_dir / "models"

    @property
    def worker_config_dir(self) -> Path:
        return self.data_dir / "worker-config"

    def ensure_dirs(self) -> None:
        for path in (
            self.data_dir,
            self.assets_dir,
            self.thumbs_dir,
            self.runs_dir,
            self.model_store,
            self.worker_config_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)
