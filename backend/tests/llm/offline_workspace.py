"""A workspace of real datasets for the offline model's request tests.

sklearn's wine (178 × 13 measurements + the cultivar, named) and diabetes
(442 × 10 + target) tables are written as XLSX, plus a messy latin-1 CSV with
text placeholders in numeric columns, numbers stored as text, dates in mixed
formats, padded text and a duplicate row. Each file is profiled with the real
server-side profiler; code is generated through the real prompt and the
OfflineChatModel and run with this venv's CPython, like the browser would.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from app.services.agent.tools.data_profiler import profile_file
from app.services.llm.offline import OfflineChatModel
from app.services.llm.offline.registry import TaskInput, get_task
from app.services.llm.prompts import extract_code, render_prompt

OUTPUT_DIR = "output/generated/u1/s1"

MESSY_CSV = (
    "Name,Age,Income,Joined,City,Score\n"
    "José Álvarez,34,\"52,000\",2023-01-05,  Zürich ,7.5\n"
    "Renée Müller,unknown,61000,05/02/2023,Köln,8\n"
    "Ana Peña,29,n/a,2023/03/07,Málaga,-\n"
    "Björn Ås,41,48000,March 9 2023,Malmö,6.5\n"
    "Zoë Smith,-,55000,,London,9\n"
    "Chloé Dubois,38,unknown,2023-04-11,Genève,7\n"
    "Ana Peña,29,n/a,2023/03/07,Málaga,-\n"
    "Lukas Nowak,45,70000,2023-05-02,Kraków,N/A\n"
)


def wine_frame() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    data = load_wine(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    frame["cultivar"] = [str(data.target_names[t]).replace("_", " ") for t in data.target]
    return frame


def diabetes_frame() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame


@dataclass
class Run:
    code: str
    stdout: str
    stderr: str
    ok: bool
    files: dict[str, Path] = field(default_factory=dict)
    answer: str = ""

    def of(self, ext: str) -> list[Path]:
        return [p for name, p in sorted(self.files.items()) if name.endswith("." + ext)]


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        uploads = root / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        self.frames = {"wine": wine_frame(), "diabetes": diabetes_frame()}
        self.paths = {"wine": uploads / "wine.xlsx", "diabetes": uploads / "diabetes.xlsx",
                      "messy": uploads / "messy.csv"}
        self.frames["wine"].to_excel(self.paths["wine"], index=False)
        self.frames["diabetes"].to_excel(self.paths["diabetes"], index=False)
        self.paths["messy"].write_bytes(MESSY_CSV.encode("latin-1"))  # not UTF-8: as exported by old tools
        self.files = {
            name: {"id": f"m-{name}", "var_name": name, "filename": path.name, "real_path": str(path),
                   "text_path": None, "ext": path.suffix.lstrip("."), "type": "data"}
            for name, path in self.paths.items()
        }
        self.profiles = {
            name: {"material_id": f"m-{name}", "filename": path.name, "var_name": name,
                   **profile_file(path, path.suffix.lstrip("."))}
            for name, path in self.paths.items()
        }
        self.counter = 0

    def add_csv(self, name: str, text: str) -> None:
        """Another data file in the workspace, profiled like the others."""
        path = self.root / "uploads" / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        self.paths[name] = path
        self.frames[name] = pd.read_csv(path)
        self.files[name] = {"id": f"m-{name}", "var_name": name, "filename": path.name, "real_path": str(path),
                            "text_path": None, "ext": "csv", "type": "data"}
        self.profiles[name] = {"material_id": f"m-{name}", "filename": path.name, "var_name": name,
                               **profile_file(path, "csv")}

    def context(self, request: str, names: list[str], *, chosen: str | None = None, intent: str = "DATA_ANALYSIS",
                edit_action: dict | None = None, file_type: str | None = None, profiled: str | None = None) -> dict:
        files = [self.files[n] for n in names]
        profiled = profiled or chosen or next((n for n in names if self.files[n]["filename"].split(".")[0]
                                               in request.lower()), names[0] if len(names) == 1 else None)
        return {
            "request": request, "intent": intent, "file_type": file_type,
            "workspace_files": files,
            "analysis_context": self.profiles.get(profiled, {}) if profiled else {},
            "generated_files": [], "edit_action": edit_action,
            "material_id": f"m-{chosen}" if chosen else None,
            "runtime": {"python_version": "3.12.7"}, "previous_vars": {},
        }

    def generate(self, context: dict) -> str:
        prompt = render_prompt("code_generation_prompt", context=context, available_libraries="")
        return extract_code(str(OfflineChatModel().invoke(prompt).content))

    def header(self, out: Path) -> str:
        lines = ["import pandas as pd", "import numpy as np", "import matplotlib", "matplotlib.use('Agg')",
                 "import matplotlib.pyplot as plt", "import os, json, csv", f'OUTPUT_DIR = "{out}"',
                 "os.makedirs(OUTPUT_DIR, exist_ok=True)"]
        lines += [f'{name}_path = "{path}"' for name, path in self.paths.items()]
        return "\n".join(lines) + "\n"

    def run(self, code: str, out: Path | None = None, timeout: int = 240) -> Run:
        self.counter += 1
        out = out or self.root / OUTPUT_DIR / f"run{self.counter}"
        out.mkdir(parents=True, exist_ok=True)
        before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
        proc = subprocess.run([sys.executable, "-c", self.header(out) + code], cwd=self.root, capture_output=True,
                              text=True, timeout=timeout,
                              env={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(self.root / "mpl"), "PATH": "/usr/bin:/bin"})
        files = {p.name: p for p in out.iterdir() if p.is_file() and before.get(p.name) != p.stat().st_mtime_ns}
        return Run(code, proc.stdout, proc.stderr, proc.returncode == 0, files)

    def explain(self, request: str, run: Run, intent: str = "DATA_ANALYSIS") -> str:
        handler = get_task("data_analysis")
        context = {"request": request, "intent": intent, "stdout": run.stdout, "files": sorted(run.files),
                   "errors": None if run.ok else run.stderr}
        return handler(TaskInput("data_analysis", context))

    def ask(self, request: str, names: list[str], **kw) -> Run:
        """Generate, run and explain one request end to end (the agent's code path, offline)."""
        out = kw.pop("out", None)
        context = self.context(request, names, **kw)
        run = self.run(self.generate(context), out=out)
        run.answer = self.explain(request, run, context["intent"])
        return run
