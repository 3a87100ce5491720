"""Settings: defaults under DATA_DIR, the generated-then-persisted secret key."""

from __future__ import annotations

import stat

import pytest

from app.core.config import REPO_ROOT, Settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "CHROMA_PATH", "CHROMA_HOST", "PYODIDE_BUNDLE_DIR", "FRONTEND_DIST_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_secret_key_is_generated_once_and_kept_with_mode_0600(clean_env):
    first = Settings(_env_file=None)
    key_file = clean_env / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.SECRET_KEY) >= 40
    assert key_file.read_text() == first.SECRET_KEY
    assert Settings(_env_file=None).SECRET_KEY == first.SECRET_KEY  # a restart keeps sessions valid


def test_each_data_dir_gets_its_own_secret_key(clean_env, tmp_path, monkeypatch):
    first = Settings(_env_file=None).SECRET_KEY
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "other"))
    assert Settings(_env_file=None).SECRET_KEY != first


def test_given_secret_key_is_used_and_nothing_written(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert Settings(_env_file=None).SECRET_KEY == "from-the-environment"
    assert not (clean_env / "secret_key").exists()


def test_paths_default_under_data_dir(clean_env):
    s = Settings(_env_file=None)
    assert s.DATA_DIR == clean_env.resolve()
    assert s.DATABASE_URL == f"sqlite+aiosqlite:///{clean_env.resolve() / 'keplerlab.db'}"
    assert s.CHROMA_PATH == clean_env.resolve() / "chroma"
    assert s.generated_output_path == clean_env.resolve() / "output" / "generated"
    assert s.podcasts_output_path == clean_env.resolve() / "output" / "podcasts"
    assert s.presentations_output_path == clean_env.resolve() / "output" / "presentations"
    assert s.PYODIDE_BUNDLE_DIR == REPO_ROOT / "pyodide_bundle" / "dist"
    assert s.FRONTEND_DIST_DIR == REPO_ROOT / "frontend" / "dist"


def test_spec_defaults(clean_env):
    s = Settings(_env_file=None)
    assert s.GENERATED_OUTPUT_DIR == "output/generated"
    assert s.MAX_CODE_REPAIR_ATTEMPTS == 3
    assert s.CODE_EXECUTION_TIMEOUT == 15
    assert s.LLM_PROVIDER == "offline"
    assert s.CHROMA_HOST is None
    assert s.max_upload_bytes == 50 * 1024 * 1024


def test_env_vars_override(clean_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/kepler")
    monkeypatch.setenv("CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("CHROMA_PORT", "9000")
    monkeypatch.setenv("MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    s = Settings(_env_file=None)
    assert s.DATABASE_URL == "postgresql+asyncpg://u:p@db:5432/kepler"
    assert (s.CHROMA_HOST, s.CHROMA_PORT) == ("chroma.internal", 9000)
    assert s.max_upload_bytes == 5 * 1024 * 1024
    assert s.LLM_PROVIDER == "openai"


def test_unknown_llm_provider_is_refused(clean_env, monkeypatch):
    monkeypatch.setenv("LLM_PROVIDER", "magic")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_secret_key_is_not_in_repr(clean_env):
    s = Settings(_env_file=None)
    assert s.SECRET_KEY not in repr(s)
