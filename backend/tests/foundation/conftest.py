"""Foundation tests check uploads, storage and ownership; other services'
material hooks (e.g. RAG indexing) are switched off here so a test upload
does not start embedding work. `test_material_hooks.py` checks the hooks fire."""

from __future__ import annotations

import pytest

from app.services.materials import hooks


@pytest.fixture(autouse=True)
def no_foreign_material_hooks(monkeypatch):
    monkeypatch.setattr(hooks, "_ready", [])
    monkeypatch.setattr(hooks, "_deleted", [])
