"""The packaged embedding model: pinned weights, loaded once, 384 dimensions."""

from __future__ import annotations

import pytest

from app.services.rag import embeddings


def test_weights_with_another_hash_are_refused(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(embeddings.EmbeddingModelError, match="sha256"):
        embeddings.verify_model_files(tmp_path)


def test_missing_weights_are_refused(tmp_path):
    with pytest.raises(embeddings.EmbeddingModelError, match="not found"):
        embeddings.verify_model_files(tmp_path)


def test_installed_model_embeds_to_unit_vectors_and_loads_once():
    vectors = embeddings.embed_texts(["Rubisco fixes carbon dioxide.", "The Bastille was stormed in 1789."])
    assert len(vectors) == 2 and len(vectors[0]) == embeddings.EMBEDDING_DIM
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-4
    assert embeddings.get_model() is embeddings.get_model()
