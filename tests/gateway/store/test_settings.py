"""Settings: defaults derived from the data directory, and the secret key's rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gateway.settings import ConfigurationError, Settings, get_settings

KEY = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GATEWAY_DATA_DIR",
        "DATABASE_URL",
        "REDIS_URL",
        "GATEWAY_SECRET_KEY",
        "GATEWAY_ENV",
        "GATEWAY_MAX_BODY_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)


def test_embedded_defaults_generate_a_private_key_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'gateway.db'}"
    assert settings.redis_url is None
    key_file = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = settings.secret_key.get_secret_value()
    assert len(key) >= 32 and key not in repr(settings)
    assert Settings(data_dir=tmp_path / "var").secret_key.get_secret_value() == key


def test_environment_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://gw@db/gateway")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("GATEWAY_SECRET_KEY", KEY)
    monkeypatch.setenv("GATEWAY_MAX_BODY_BYTES", "1024")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert get_settings() is settings
    finally:
        get_settings.cache_clear()
    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql://gw@db/gateway"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.secret_key.get_secret_value() == KEY
    assert settings.max_body_bytes == 1024
    assert not (tmp_path / "secret.key").exists()


def test_postgres_requires_a_key_outside_development(tmp_path: Path) -> None:
    url = "postgresql://gw@db/gateway"
    with pytest.raises(ConfigurationError, match="GATEWAY_SECRET_KEY is not set"):
        Settings(data_dir=tmp_path, database_url=url)
    dev = Settings(data_dir=tmp_path, database_url=url, env="development")
    assert (tmp_path / "secret.key").read_text().strip() == dev.secret_key.get_secret_value()


def test_weak_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        Settings(data_dir=tmp_path, secret_key="changethis")
    (tmp_path / "secret.key").write_text(KEY)
    (tmp_path / "secret.key").chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        Settings(data_dir=tmp_path)
