"""Subgraph settings from `EHB_*` environment variables, with safe embedded defaults."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.config_file import toml_sources


class Settings(BaseSettings):
    """Everything a subgraph process reads from its environment.

    `EHB_<NAME>_DATABASE_URL` (e.g. `EHB_MONEY_DATABASE_URL`) overrides one subgraph's database;
    otherwise each subgraph gets `sqlite+aiosqlite:///<EHB_DATA_DIR>/<name>.db`.
    """

    model_config = SettingsConfigDict(env_prefix="EHB_", extra="ignore")
    # Whose [subgraphs.<name>] table of the ehb.toml file applies (`for_subgraph`).
    subgraph_table: ClassVar[str | None] = None

    env: Literal["dev", "production"] = "dev"
    data_dir: Path = Path("./data")
    # `ehb backup` / `ehb restore` (subgraphs.kernel.backup); unset -> <data_dir>/backups.
    backup_dir: Path | None = None
    # Domain events (docs/events.md): the broadcaster (`memory://`, `redis://...`,
    # `postgres://...`), and the outbox relay: on/off in this process, its polling fallback,
    # batch size, backoff while the broadcaster is down, and how long published rows are kept.
    broadcast_url: str = "memory://"
    outbox_relay: bool = True
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=100, ge=1)
    outbox_max_backoff_seconds: float = Field(default=30.0, gt=0)
    outbox_retention_seconds: float = Field(default=7 * 24 * 3600.0, ge=0)
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # How long opening a database connection may take before the request gets
    # DATABASE_UNAVAILABLE (asyncpg's own default is 60 s).
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # Each GraphQL response says how many SQL statements it took (`Server-Timing: db;...`,
    # subgraphs.kernel.statement_timing): for benchmarks and N+1 hunting, off by default.
    sql_statement_timing: bool = False
    # Telemetry (docs/telemetry.md, subgraphs.kernel.telemetry): Prometheus `GET /metrics` (0:
    # off), the distinct operation names with their own label (then `other`), and the OTLP/HTTP
    # traces URL that turns tracing on (as the standard OTEL_* variables do).
    metrics: bool = True
    metrics_max_operations: int = Field(default=200, ge=1)
    otlp_traces_endpoint: str | None = None
    # Explicit per-subgraph URLs; filled from EHB_<NAME>_DATABASE_URL when not given.
    database_urls: dict[str, str] = Field(default_factory=dict)
    # Outgoing email (subgraphs.kernel.email): `smtp://user:pass@host:587?starttls=1` or
    # `smtps://user:pass@host`; unset -> .eml files in <data_dir>/mail/ (development).
    smtp_url: SecretStr | None = None
    mail_from: str = "EHB-5 <no-reply@ehb.localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Access tokens (docs/identity-and-access.md): where the identity JWKS is published, and the
    # `iss`/`aud` every token must carry. No JWKS URL: every bearer token is refused.
    jwks_url: str | None = None
    token_issuer: str = "ehb-identity"
    token_audience: str = "ehb-api"
    # identity only: production signing keys (a JWKS with private keys, newest first); unset ->
    # development keys generated into <data_dir>/identity-keys/ (refused in production).
    identity_signing_keys: SecretStr | None = None
    # identity only: the dashboard page a password-reset email links to (`?token=...` appended).
    password_reset_url: str = "http://localhost:5173/reset-password"
    # Peers (comma-separated addresses or CIDR networks) whose `X-Forwarded-For` is believed when
    # a subgraph records a client address (sign-in throttling, sessions, audit): the router.
    trusted_proxies: str = "127.0.0.1/32,::1/128"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment over the ehb.toml file (subgraphs.kernel.config_file)."""
        table = getattr(settings_cls, "subgraph_table", None)
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            file_secret_settings,
            *toml_sources(settings_cls, table),
        )

    @classmethod
    def for_subgraph(cls, name: str) -> Settings:
        """Settings with subgraph `name`'s own [subgraphs.<name>] values of the ehb.toml file."""
        return _scoped(cls, name)()

    def model_post_init(self, context: Any, /) -> None:
        for name in SUBGRAPH_NAMES:
            from_env = os.environ.get(f"EHB_{name.upper()}_DATABASE_URL")
            if from_env and name not in self.database_urls:
                self.database_urls[name] = from_env

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def database_url(self, name: str) -> str:
        """The SQLAlchemy async URL of subgraph `name`'s database."""
        if name in self.database_urls:
            return self.database_urls[name]
        return f"sqlite+aiosqlite:///{self.data_dir / f'{name}.db'}"


@cache
def _scoped(cls: type[Settings], name: str) -> type[Settings]:
    return type(f"{cls.__name__}For{name.title()}", (cls,), {"subgraph_table": name})
