"""Settings from ``SOHOA_`` environment variables and an optional TOML file.

Nested sections use a double underscore: ``SOHOA_OCR__JOBS=2``,
``SOHOA_STORAGE__BACKEND=minio``. ``SOHOA_CONFIG`` names the TOML file. Settings are built once
by the entry point (CLI, API) and passed down; nothing reads the environment elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class OcrSettings(BaseModel):
    lang: str = "vie"
    jobs: int = Field(0, description="worker processes; 0 means one per core")
    page_timeout: float = Field(180.0, description="seconds Tesseract may spend on one page")
    max_megapixels: float = Field(
        250.0, description="decompression-bomb cap, checked before any pixel is decoded"
    )
    max_file_megapixels: float = Field(
        25000.0, description="image pixels all pages of one PDF decode together"
    )
    render_timeout: float = Field(120.0, description="seconds poppler may spend rendering one page")
    max_file_mb: float = Field(1024.0, description="largest input file accepted")
    min_dpi: int = Field(200, description="below this the clerk is warned to rescan")
    review_confidence: float = Field(0.80, description="fields below this go to review")
    max_pages: int = Field(2000, description="a PDF with more pages is refused as suspicious")


class StorageSettings(BaseModel):
    backend: Literal["directory", "minio"] = "directory"
    endpoint: str = "127.0.0.1:9000"
    access_key: str = "sohoa"
    secret_key: SecretStr = SecretStr("sohoa-secret")
    secure: bool = False
    region: str = "us-east-1"
    bucket_prefix: str = "sohoa"
    retention_days: int = Field(3650, description="object-lock retention of signed results")
    presign_seconds: int = Field(900, description="lifetime of presigned GET URLs")
    public_endpoint: str | None = Field(
        None,
        description="host:port that downstream systems reach MinIO at, for presigned links "
        "(the API may reach it inside the deployment's network under another name)",
    )
    retry_seconds: float = Field(30.0, description="how long to retry an unreachable server")


class DatabaseSettings(BaseModel):
    url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in the data dir")


class SigningSettings(BaseModel):
    level: Literal["B-B", "B-T", "B-LT"] = "B-B"
    result_level: Literal["B-LT", "B-LTA"] | None = Field(
        None,
        description="level of signed results; default B-LT when a TSA and trust roots are configured. "
        "B-LTA for results kept for decades (land, civil status); renew with `sohoa archive renew`",
    )
    tsa_url: str | None = None
    trust_roots: list[Path] = Field(default_factory=list)
    trust_shipped: bool = Field(
        True, description="trust the Vietnamese anchors shipped in signing/trust_vn (verification)"
    )
    trust_enable: list[str] = Field(
        default_factory=list, description="shipped anchors off by default to trust, e.g. gov-root-g1"
    )
    trust_disable: list[str] = Field(default_factory=list, description="shipped anchors not to trust")
    revocation: Literal["soft-fail", "hard-fail", "require"] = "soft-fail"
    organisation: str = Field(
        "", description="name printed on stamps; empty: the signer certificate's organisation (O)"
    )
    seal_image: Path | None = None
    font: Path | None = None
    timezone: str = "+07:00"
    pin_timeout_s: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="seconds the signing agent (sign-client --serve) waits for the PIN before it "
        "refuses the batch",
    )


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    max_upload_mb: float = 512.0
    public_url: str | None = Field(
        None, description="base URL downstream systems reach the API at (default http://host:port)"
    )
    webhook_retry_seconds: float = Field(
        30.0, gt=0, description="first webhook retry delay, doubled after each failure"
    )
    webhook_max_attempts: int = Field(8, ge=1, le=50)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


class LoginSettings(BaseModel):
    """Log-in throttling (``pipeline.login_throttle``): tries, back-off and lockout."""

    user_free_tries: int = Field(3, ge=1, description="failed log-ins of a username before back-off starts")
    user_lock_after: int = Field(
        10, ge=1, description="failed log-ins after which only an administrator can unlock the username"
    )
    address_free_tries: int = Field(
        20, ge=1, description="failed log-ins from one client address before back-off (no lockout)"
    )
    max_delay: int = Field(900, ge=1, description="longest back-off between two tries, seconds")
    locked_retry_after: int = Field(3600, ge=1, description="Retry-After of a locked account's 429, seconds")


class QueueSettings(BaseModel):
    """The distributed task queue (Celery). Unset ``broker_url``: everything runs in-process."""

    broker_url: str | None = Field(
        None, description="Celery broker, e.g. amqp://guest:guest@127.0.0.1:5672// or redis://127.0.0.1:6379/0"
    )
    prefix: str = Field("sohoa", description="queue name prefix (one per deployment sharing a vhost)")
    small_job_pages: int = Field(10, description="jobs of at most this many pages jump the queue")
    inline_pages: int = Field(
        2, description="files of at most this many pages are OCR'd and assembled in one task (no fan-out)"
    )
    max_retries: int = Field(8, description="retries of a task while the store or database is down")
    retry_backoff_max: float = Field(60.0, description="longest wait between two retries, seconds")


class LogSettings(BaseModel):
    format: Literal["text", "json"] = Field(
        "text", description="json: one JSON object per line for a log collector (SOHOA_LOG__FORMAT)"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SOHOA_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path("./data")
    ocr: OcrSettings = OcrSettings()
    storage: StorageSettings = StorageSettings()
    database: DatabaseSettings = DatabaseSettings()
    signing: SigningSettings = SigningSettings()
    api: ApiSettings = ApiSettings()
    login: LoginSettings = LoginSettings()
    queue: QueueSettings = QueueSettings()
    log: LogSettings = LogSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("SOHOA_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'sohoa.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and ``SOHOA_CONFIG``), with explicit overrides."""
    return Settings(**overrides)  # type: ignore[arg-type]
