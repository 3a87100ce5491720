"""Settings: the one place that reads the environment (and an optional `.env`).

Everything else calls `get_settings()` (cached) or, inside a request, uses the
settings the app was built with (`request.app.state.settings`, or the
`SettingsDep` alias in `app.core.deps`). Tests build an app with another
DATA_DIR/DATABASE_URL by setting env vars and calling `get_settings.cache_clear()`,
or by passing a `Settings` to `create_app(settings)`.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]

LLMProvider = Literal["offline", "openai", "anthropic", "ollama", "scripted"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=REPO_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -----------------------------------------------------------
    DATA_DIR: Path = REPO_ROOT / "data"
    # Empty means: SQLite file DATA_DIR/keplerlab.db. PostgreSQL:
    # postgresql+asyncpg://user:pass@host:5432/dbname
    DATABASE_URL: str = ""
    # PostgreSQL connection pool, per process (SQLite's is fixed in core/database.py).
    # Each API process also opens up to 10 for the agent checkpointer and ~4 for the
    # job queue: keep replicas x (DB_POOL_SIZE + DB_MAX_OVERFLOW + 14) + workers x
    # (DB_POOL_SIZE + DB_MAX_OVERFLOW + 4) under the server's max_connections
    # (PostgreSQL's default, 100, fits two replicas and a worker).
    DB_POOL_SIZE: int = 10
    DB_MAX_OVERFLOW: int = 10
    DB_POOL_TIMEOUT: float = 30  # seconds a request waits for a free connection; then 500
    # Chroma: embedded PersistentClient at CHROMA_PATH (default DATA_DIR/chroma),
    # or a Chroma server (HttpClient) when CHROMA_HOST is set.
    CHROMA_PATH: Path | None = None
    CHROMA_HOST: str | None = None
    CHROMA_PORT: int = 8000
    # Partial files a killed process left (tmp/upload-*.part, podcast chunk-*.wav, ...)
    # are removed at start-up; with PostgreSQL (replicas may share DATA_DIR) only
    # those untouched for this many seconds (services/leftovers.py).
    PARTIAL_FILE_GRACE: float = 600

    # --- background jobs (services/jobs) -----------------------------------------
    # SQLite: jobs run inside the API process. PostgreSQL: they are rows of a
    # procrastinate queue in the same database, run by any worker; set
    # RUN_JOB_WORKER=false when dedicated workers (`python -m app.worker`) run them.
    RUN_JOB_WORKER: bool = True
    JOB_WORKER_CONCURRENCY: int = 2
    JOB_STALLED_AFTER: float = 30  # seconds without a worker heartbeat: its jobs are retried

    # --- agent / browser execution -------------------------------------------
    # Relative to DATA_DIR on the server, and to /workspace in the browser worker.
    GENERATED_OUTPUT_DIR: str = "output/generated"
    MAX_CODE_REPAIR_ATTEMPTS: int = 3
    CODE_EXECUTION_TIMEOUT: int = 15  # seconds, enforced by the page
    MAX_CODE_EXECUTION_TIMEOUT: int = 120  # seconds: the limit when a request says "take longer"
    PACKAGE_LOAD_TIMEOUT: int = 180  # seconds the page allows for loading a run's packages (not counted in the above)

    # --- models ----------------------------------------------------------------
    LLM_PROVIDER: LLMProvider = "offline"
    LLM_MODEL: str = ""
    LLM_BASE_URL: str | None = None
    LLM_API_KEY: str | None = None
    LLM_SCRIPT_PATH: Path | None = None  # JSON script for the `scripted` test model
    LLM_TEMPERATURE: float = 0.2
    # Seconds. Connect and read (between bytes) limits of the provider's HTTP client,
    # and a total per call: SSE keep-alives or a trickling server defeat a read limit.
    LLM_CONNECT_TIMEOUT: float = 10
    LLM_READ_TIMEOUT: float = 60
    LLM_CALL_TIMEOUT: float = 180

    # --- uploads ---------------------------------------------------------------
    MAX_UPLOAD_MB: float = 50
    MAX_JSON_BODY_MB: float = 16  # any non-multipart request body (JSON): 413 above it, before sign-in
    # Text extraction of an upload runs in a separate worker process (never on the event loop):
    EXTRACTION_TIMEOUT: float = 60  # seconds of wall time per file; then the worker is killed (422)
    EXTRACTION_MEMORY_MB: int = 1024  # address space the worker may add to its start (RLIMIT_AS); over: 422
    EXTRACTION_WORKERS: int = 2  # files extracted at the same time per server process
    MAX_DECOMPRESSED_MB: float = 200  # DOCX/XLSX: total unpacked size from the ZIP directory; over: 413
    MAX_COMPRESSION_RATIO: float = 200  # DOCX/XLSX: a ZIP entry (>1 MB unpacked) packed tighter: 413
    MAX_EXTRACTED_CHARS: int = 5_000_000  # the text is cut here, with a note at the end (file kept whole)
    MAX_SPREADSHEET_CELLS: int = 2_000_000  # XLSX cells read (empty padding counts); then cut, with a note

    # --- auth ------------------------------------------------------------------
    # Empty means: generated with `secrets` on first start and kept in
    # DATA_DIR/secret_key (mode 0600).
    SECRET_KEY: str = Field(default="", repr=False)
    ACCESS_TOKEN_TTL: int = 7 * 24 * 3600  # seconds
    FILE_TOKEN_TTL: int = 3600  # seconds
    COOKIE_SECURE: bool = False  # always Secure; otherwise Secure when the request came over HTTPS
    # argon2id cost of new password hashes (a stored hash keeps its own parameters).
    # Default: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), ~20 ms of CPU per
    # sign-in; argon2-cffi's own default (64 MiB, 3, 4 lanes) cost ~145 ms, which made
    # 500 sign-ins a minute take a whole 2-core server (bench/scale_bench.py).
    PASSWORD_HASH_MEMORY_KIB: int = 19_456
    PASSWORD_HASH_TIME_COST: int = 2
    PASSWORD_HASH_PARALLELISM: int = 1
    # Throttling (services/auth_throttle.py; counts in the database, shared by all
    # replicas). Over a limit within AUTH_THROTTLE_WINDOW seconds: 429 + Retry-After.
    AUTH_THROTTLE_WINDOW: int = 900  # seconds
    LOGIN_ATTEMPTS_PER_ACCOUNT: int = 10  # failed sign-ins for one email (known or not)
    LOGIN_ATTEMPTS_PER_ADDRESS: int = 50  # failed sign-ins from one client address
    REGISTRATIONS_PER_ADDRESS: int = 20  # registration attempts from one client address

    # --- static ------------------------------------------------------------------
    PYODIDE_BUNDLE_DIR: Path = REPO_ROOT / "pyodide_bundle" / "dist"
    # Browser runtime profile: "modern" (default: Pyodide 0.27.7, Python 3.12,
    # served from PYODIDE_BUNDLE_DIR/modern) or "classic" (opt-in: Pyodide 0.17.1,
    # Python 3.8, served from PYODIDE_BUNDLE_DIR). GET /api/runtime tells the page.
    PYODIDE_PROFILE: Literal["classic", "modern"] = "modern"
    # Official Pyodide full release (extracted directory or .tar.bz2) whose
    # packages the modern profile ships; read by pyodide_bundle/build.sh.
    PYODIDE_FULL_ARCHIVE: Path | None = None
    FRONTEND_DIST_DIR: Path = REPO_ROOT / "frontend" / "dist"

    LOG_LEVEL: str = "INFO"

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        self.DATA_DIR = self.DATA_DIR.expanduser().resolve()
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite+aiosqlite:///{self.DATA_DIR / 'keplerlab.db'}"
        if self.CHROMA_PATH is None:
            self.CHROMA_PATH = self.DATA_DIR / "chroma"
        if not self.SECRET_KEY:
            self.SECRET_KEY = _load_or_create_secret_key(self.DATA_DIR / "secret_key")
        return self

    # --- derived paths (all under DATA_DIR) -------------------------------------
    @property
    def max_upload_bytes(self) -> int:
        return int(self.MAX_UPLOAD_MB * 1024 * 1024)

    @property
    def max_json_body_bytes(self) -> int:
        return int(self.MAX_JSON_BODY_MB * 1024 * 1024)

    @property
    def generated_output_path(self) -> Path:
        return self.DATA_DIR / self.GENERATED_OUTPUT_DIR

    @property
    def podcasts_output_path(self) -> Path:
        return self.DATA_DIR / "output" / "podcasts"

    @property
    def presentations_output_path(self) -> Path:
        return self.DATA_DIR / "output" / "presentations"

    @property
    def materials_path(self) -> Path:
        """Uploaded materials: materials/<notebook_id>/<material_id>.<ext> (+ .txt)."""
        return self.DATA_DIR / "materials"

    @property
    def upload_tmp_path(self) -> Path:
        """Partial uploads; same file system as materials so the final move is atomic."""
        return self.DATA_DIR / "tmp"

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")


def _load_or_create_secret_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    # O_EXCL: if two processes start at once, the first writer wins and the
    # second reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
