"""First vs second document question after a server start, old vs new.

The cost of the first answer after a start is loading the embedding model
(all-MiniLM-L6-v2, verified and read from the installed package). Before,
it loaded on the first question; now `warm_up_in_background()` runs in the
lifespan. Each mode runs in a fresh Python process (a "server start"):

- old: no warm-up; question 1 pays the load.
- new: the warm-up thread starts at start-up; the first question comes once
  start-up is over (the person opens the notebook and types), so it finds the
  model loaded.
- new, question at once: a question arriving while the warm-up still runs
  waits on the same lock (never loads twice) — the worst case.

A question is what the RAG path does per question: embed it and search a
small indexed Chroma collection (hybrid dense + BM25). Times in seconds.

    .venv/bin/python bench/rag_first_answer_bench.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent('''
    import json, sys, tempfile, time
    from pathlib import Path
    started = time.perf_counter()
    mode, index_file = sys.argv[1], sys.argv[2]
    from app.core.config import Settings
    from app.services.rag import embeddings
    from app.services.rag.chunking import chunk_material_text
    from app.services.rag.retrieval import search
    from app.services.rag.vector_store import VectorStore

    if mode != "old":
        thread = embeddings.warm_up_in_background()  # what the lifespan does now
    settings = Settings(DATA_DIR=Path(tempfile.mkdtemp()))
    index = json.loads(Path(index_file).read_text())
    chunks = chunk_material_text("m1", index["text"], "txt")
    VectorStore(settings).upsert("nb1", chunks, index["vectors"])  # the notebook indexed earlier
    startup = time.perf_counter() - started
    if mode == "new":
        thread.join()  # start-up is over before the first question is typed


    def ask(question):
        t = time.perf_counter()
        search("nb1", question, k=3, settings=settings)
        return time.perf_counter() - t


    q1 = ask("Where does the Calvin cycle take place?")
    q2 = ask("What does entropy measure?")
    print(json.dumps({"startup": startup, "q1": q1, "q2": q2}))
''')
TEXT = ("Photosynthesis turns light energy into chemical energy in the chloroplasts.\n\n"
        "The Calvin cycle runs in the stroma and fixes carbon dioxide into glucose.\n\n"
        "Entropy measures the number of microscopic arrangements of a system.")


def build_index(path: Path) -> None:
    sys.path.insert(0, str(ROOT / "backend"))
    from app.services.rag.chunking import chunk_material_text
    from app.services.rag.embeddings import embed_texts

    chunks = chunk_material_text("m1", TEXT, "txt")
    path.write_text(json.dumps({"text": TEXT, "vectors": embed_texts([c.text for c in chunks])}))


def run(mode: str, index: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, str(index)], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "backend"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
                               "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    index = Path(tempfile.mkdtemp()) / "index.json"
    build_index(index)
    results = {mode: [run(mode, index) for _ in range(args.rounds)] for mode in ("old", "new", "new-at-once")}
    print(f"{'mode':<14}{'start-up':>10}{'question 1':>12}{'question 2':>12}{'q1 - q2':>10}")
    for mode, rounds in results.items():
        s, q1, q2 = (statistics.median(r[k] for r in rounds) for k in ("startup", "q1", "q2"))
        print(f"{mode:<14}{s:>10.2f}{q1:>12.2f}{q2:>12.2f}{q1 - q2:>10.2f}")
    print(f"(median of {args.rounds} fresh processes each; seconds)")


if __name__ == "__main__":
    main()
