"""Retrieval quality and speed on the fixture corpus in bench/fixtures/.

Indexes the four course notes into a throw-away Chroma directory with the
real chunker, embedding model and vector store, asks every question in
`questions.json`, and prints recall@1/@3/@5 (a hit = a top-k passage from the
right material containing the evidence phrase), latency per query, and how the
relevance threshold treats answerable and unanswerable questions.

    .venv/bin/python bench/retrieval_bench.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from app.core.config import Settings  # noqa: E402
from app.services.rag.embeddings import get_model  # noqa: E402
from app.services.rag.indexing import index_text  # noqa: E402
from app.services.rag.retrieval import is_answerable, search  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOK = "bench-notebook"
DOCUMENTS = ["photosynthesis.md", "french_revolution.txt", "sorting_algorithms.md", "thermodynamics_pdf.txt"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    questions = json.loads((FIXTURES / "questions.json").read_text())

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(DATA_DIR=Path(tmp), CHROMA_HOST=None)
        t0 = time.perf_counter()
        get_model()
        print(f"model load: {time.perf_counter() - t0:.2f} s")

        t0 = time.perf_counter()
        n_chunks = 0
        for name in DOCUMENTS:
            text = (FIXTURES / name).read_text(encoding="utf-8")
            ext = "pdf" if name.endswith("_pdf.txt") else name.rsplit(".", 1)[1]
            n_chunks += len(index_text(NOTEBOOK, name, text, ext, settings=settings))
        print(f"indexing: {n_chunks} chunks from {len(DOCUMENTS)} documents in {time.perf_counter() - t0:.2f} s")

        hits = {1: 0, 3: 0, 5: 0}
        latencies, answerable_ok = [], 0
        for q in questions["answerable"]:
            t0 = time.perf_counter()
            passages = search(NOTEBOOK, q["question"], k=5, settings=settings)
            latencies.append(time.perf_counter() - t0)
            rank = next(
                (
                    i + 1
                    for i, p in enumerate(passages)
                    if p.chunk.material_id == q["material"]
                    and q["evidence"] in p.chunk.text
                    and ("page" not in q or p.chunk.page == q["page"])
                ),
                None,
            )
            for k in hits:
                hits[k] += rank is not None and rank <= k
            answerable_ok += is_answerable(passages[:3])
            if args.verbose and (rank is None or rank > 1):
                top = passages[0] if passages else None
                print(f"  rank={rank} {q['question']!r} top={top.chunk.material_id if top else None} "
                      f"{top.chunk.location if top else ''} dense={top.dense if top else 0:.2f}")

        rejected = 0
        for question in questions["unanswerable"]:
            t0 = time.perf_counter()
            passages = search(NOTEBOOK, question, k=5, settings=settings)
            latencies.append(time.perf_counter() - t0)
            rejected += not is_answerable(passages[:3])
            if args.verbose:
                top = passages[0]
                print(f"  unanswerable {question!r}: dense={top.dense:.2f} cov={top.coverage:.2f} "
                      f"-> {'rejected' if not is_answerable(passages[:3]) else 'ANSWERED'}")

        n = len(questions["answerable"])
        for k, h in hits.items():
            print(f"recall@{k}: {h / n:.3f} ({h}/{n})")
        print(f"answerable questions kept by the relevance threshold: {answerable_ok}/{n}")
        print(f"unanswerable questions rejected: {rejected}/{len(questions['unanswerable'])}")
        ms = sorted(x * 1000 for x in latencies)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        print(f"query latency: mean {statistics.mean(ms):.1f} ms, median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")
        return 0 if hits[3] / n >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
