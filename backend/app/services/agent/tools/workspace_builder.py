"""The workspace header: the lines prepended to every piece of generated code.

It gives the code the real paths of the user's files inside the browser
worker's file system and the output folder its files must go to, so the model
never has to guess a path.
"""

from __future__ import annotations

import keyword
import re
from pathlib import PurePosixPath

from app.services.agent.state import AgentState, WorkspaceFile
from app.services.code_execution.contract import UPLOADS_DIR, Mount

HEADER_START = "# --- KeplerLab workspace (prepended automatically) ---"
HEADER_END = "# --- end of workspace ---"

_STANDARD_IMPORTS = """\
import pandas as pd
import numpy as np
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import os, json, csv"""


def output_dir_for(user_id: str, session_id: str) -> str:
    """OUTPUT_DIR relative to /workspace, the worker's working directory."""
    return f"output/generated/{user_id}/{session_id}"


def variable_name_for(filename: str, taken: set[str]) -> str:
    """A readable, unique Python identifier for a file: 'Sales 2024.csv' -> 'sales_2024'."""
    stem = PurePosixPath(filename).stem.lower()
    name = re.sub(r"[^0-9a-z_]+", "_", stem).strip("_") or "file"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"f_{name}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def workspace_file_for(material_id: str, filename: str, workspace_name: str, ext: str, kind: str,
                       taken: set[str]) -> WorkspaceFile:
    real_path = f"{UPLOADS_DIR}/{workspace_name}"
    return WorkspaceFile(
        id=material_id,
        filename=filename,
        var_name=variable_name_for(workspace_name, taken),
        real_path=real_path,
        text_path=f"{real_path}.txt",
        ext=ext.lower().lstrip("."),
        type=kind,
        url=f"/api/materials/{material_id}/raw",
        text_url=f"/api/materials/{material_id}/text",
    )


def _path_line(item: WorkspaceFile) -> str:
    var = item["var_name"]
    if item["type"] == "data":
        loader = "pd.read_excel()" if item["ext"] in {"xlsx", "xls"} else "pd.read_csv()"
        return f'{var}_path = "{item["real_path"]}"  # {item["filename"]}: load with {loader}'
    return f'{var}_text_path = "{item["text_path"]}"  # {item["filename"]}: load with open().read()'


def build_workspace_header(state: AgentState) -> str:
    """Standard imports, OUTPUT_DIR and one path variable per workspace file (spec 3.1)."""
    lines = [
        HEADER_START,
        _STANDARD_IMPORTS,
        f'OUTPUT_DIR = "{output_dir_for(state["user_id"], state["session_id"])}"',
        "os.makedirs(OUTPUT_DIR, exist_ok=True)",
    ]
    lines.extend(_path_line(item) for item in state.get("workspace_files", []))
    lines.append(HEADER_END)
    return "\n".join(lines) + "\n"


def strip_workspace_header(code: str) -> str:
    """The model's own code, without a header it may have copied back."""
    if HEADER_START in code and HEADER_END in code:
        before, _, rest = code.partition(HEADER_START)
        _, _, after = rest.partition(HEADER_END)
        return (before + after).strip("\n") + "\n"
    return code


def mounts_for(state: AgentState, extra: list[Mount] | None = None) -> list[Mount]:
    """What the worker must write into its file system before the run."""
    mounts: list[Mount] = []
    for item in state.get("workspace_files", []):
        name = PurePosixPath(item["real_path"]).name
        if item["type"] == "data":
            mounts.append(Mount(material_id=item["id"], name=name, path=item["real_path"], url=item["url"]))
        else:
            mounts.append(Mount(material_id=item["id"], name=f"{name}.txt", path=item["text_path"],
                                url=item["text_url"]))
    return mounts + list(extra or [])
