"""The development signing key: one per instance folder, shared by every process and restart."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from quantum.config import DEV_SECRET_FILE, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_development_without_key_keeps_one_key_on_disk(tmp_path: Path) -> None:
    first = load_settings({"QUANTUM_ENV": "development"}, instance_path=str(tmp_path))
    second = load_settings({"QUANTUM_ENV": "development"}, instance_path=str(tmp_path))
    key_file = tmp_path / DEV_SECRET_FILE
    assert first.auth.jwt_secret_key == second.auth.jwt_secret_key
    assert key_file.read_text().strip() == first.auth.jwt_secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.auth.jwt_secret_key) >= 32


def test_concurrent_starters_agree_on_one_key(tmp_path: Path) -> None:
    script = (
        "import sys; from quantum.config import load_settings; "
        f"print(load_settings({{'QUANTUM_ENV': 'development'}}, instance_path={str(tmp_path)!r}).auth.jwt_secret_key)"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1 and "" not in keys
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEV_SECRET_FILE]


def test_an_explicit_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    settings = load_settings({"QUANTUM_ENV": "development", "JWT_SECRET_KEY": "x" * 40}, instance_path=str(tmp_path))
    assert settings.auth.jwt_secret_key == "x" * 40
    assert not (tmp_path / DEV_SECRET_FILE).exists()


def test_testing_mode_writes_no_key_file(tmp_path: Path) -> None:
    load_settings({"QUANTUM_ENV": "testing"}, instance_path=str(tmp_path))
    assert not (tmp_path / DEV_SECRET_FILE).exists()


def test_production_never_uses_the_development_key(tmp_path: Path) -> None:
    load_settings({"QUANTUM_ENV": "development"}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY is required"):
        load_settings(
            {"QUANTUM_ENV": "production", "DATABASE_URL": "postgresql://u@h/d"}, instance_path=str(tmp_path)
        )
