"""The gateway's settings: one object, read from the environment.

| setting | environment | default |
|---|---|---|
| `data_dir` | `GATEWAY_DATA_DIR` | `./var` |
| `database_url` | `DATABASE_URL` | `sqlite:///<data_dir>/gateway.db` |
| `redis_url` | `REDIS_URL` | none (embedded mode: in-memory transport) |
| `secret_key` | `GATEWAY_SECRET_KEY` | generated once into `<data_dir>/secret.key` (see below) |
| `env` | `GATEWAY_ENV` | `production` |
| `max_body_bytes` | `GATEWAY_MAX_BODY_BYTES` | 32 MiB |

The secret key encrypts secrets at rest (ERP credentials, private keys). Embedded mode (SQLite)
generates it on first use and keeps it in `<data_dir>/secret.key`, readable by the owner only,
next to the database it protects. A PostgreSQL deployment is shared by several processes and
machines, so it must be given the key explicitly: a missing key is refused there unless
`GATEWAY_ENV=development`.

Use `get_settings()` in the application; tests build `Settings(...)` with explicit values
(keyword arguments win over the environment) and call `get_settings.cache_clear()` when they
change the environment.
"""

from __future__ import annotations

import base64
import contextlib
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from translators.errors import GatewayError

SECRET_KEY_FILE = "secret.key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(GatewayError):
    """The settings cannot be used as given (missing secret key, unsafe key file...)."""

    def __init__(self, message: str, *, setting: str):
        super().__init__(message)
        self.setting = setting


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    data_dir: Path = Path("var")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("database_url", "DATABASE_URL"),
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("redis_url", "REDIS_URL"),
    )
    secret_key: SecretStr = SecretStr("")
    env: Literal["development", "production"] = "production"
    max_body_bytes: int = Field(default=32 * 1024 * 1024, gt=0)

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith(("postgresql", "postgres:"))

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        # The model is frozen for its users; these defaults are derived once, here.
        data_dir = self.data_dir.expanduser().resolve()
        object.__setattr__(self, "data_dir", data_dir)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{data_dir / 'gateway.db'}")
        key = self.secret_key.get_secret_value()
        if not key:
            if self.is_postgresql and self.env != "development":
                raise ConfigurationError(
                    "GATEWAY_SECRET_KEY is not set: a PostgreSQL deployment needs the same "
                    'secret key in every process (generate one with `python -c "import '
                    'secrets; print(secrets.token_urlsafe(32))"`), or set '
                    "GATEWAY_ENV=development to keep a generated key in the data directory",
                    setting="secret_key",
                )
            object.__setattr__(self, "secret_key", SecretStr(load_or_create_key(data_dir)))
        elif len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(
                f"GATEWAY_SECRET_KEY is too short ({len(key)} characters): use at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters",
                setting="secret_key",
            )
        return self


def load_or_create_key(data_dir: Path) -> str:
    """Read `<data_dir>/secret.key`, creating it (mode 0600) on first use.

    Two processes starting at once must end up with the same key: the key is written to a
    private temporary file and linked into place, which fails if the other one won.
    """
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")  # a Fernet key
        tmp = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(key + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"{path} is readable by other users (mode {mode:04o}): run `chmod 600 {path}`",
            setting="secret_key",
        )
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"{path} does not hold a usable key; remove it to generate a new one (secrets "
            "encrypted with the old key will then be unreadable)",
            setting="secret_key",
        )
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
