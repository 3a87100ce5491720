"""Profiles a dataset on the server so the planner and the model know its shape.

Only reading and summarising happens here (pandas, in a thread pool, bounded
rows); the analysis itself runs in the browser. A profile is computed once per
material version and cached next to the stored file, so a turn does not re-read
the data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.services.agent.state import AgentState

log = logging.getLogger(__name__)

MAX_ROWS = 100_000
SAMPLE_ROWS = 5
TOP_CATEGORIES = 5
PROFILE_VERSION = 2  # bump when the profile's shape changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _read_frame(path: Path, ext: str) -> tuple[pd.DataFrame, bool]:
    if ext in {"xlsx", "xls"}:
        frame = pd.read_excel(path, nrows=MAX_ROWS + 1)
    else:
        frame = pd.read_csv(path, nrows=MAX_ROWS + 1, sep=None, engine="python", encoding_errors="replace")
    truncated = len(frame) > MAX_ROWS
    return frame.head(MAX_ROWS), truncated


def profile_frame(frame: pd.DataFrame) -> dict[str, Any]:
    """shape, columns, dtypes, describe, nulls, sample and top categories."""
    numeric = frame.select_dtypes(include="number")
    describe = {
        column: {stat: _jsonable(v) for stat, v in stats.items()}
        for column, stats in (numeric.describe().to_dict().items() if not numeric.empty else [])
    }
    categorical = [c for c in frame.columns
                   if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    top = {
        str(c): {str(k): int(v) for k, v in frame[c].value_counts().head(TOP_CATEGORIES).items()}
        for c in categorical
    }
    sample = [
        {str(k): _jsonable(v) for k, v in row.items()}
        for row in frame.head(SAMPLE_ROWS).to_dict(orient="records")
    ]
    return {
        "shape": [int(frame.shape[0]), int(frame.shape[1])],
        "columns": [str(c) for c in frame.columns],
        "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()},
        "numeric_columns": [str(c) for c in numeric.columns],
        "categorical_columns": [str(c) for c in categorical],
        "describe": describe,
        "nulls": {str(c): int(n) for c, n in frame.isna().sum().items()},
        "top_categories": top,
        "sample": sample,
    }


def _cache_file(path: Path) -> Path:
    return path.with_name(path.name + ".profile.json")


def profile_file(path: Path, ext: str) -> dict[str, Any]:
    """The profile of one stored data file, from cache when its version matches."""
    stat = path.stat()
    version = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "profile_version": PROFILE_VERSION}
    cache = _cache_file(path)
    if cache.is_file():
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached.get("version") == version:
                return cached["profile"]
        except (OSError, ValueError, KeyError):
            log.warning("ignoring unreadable profile cache %s", cache)
    frame, truncated = _read_frame(path, ext)
    profile = profile_frame(frame) | {"truncated": truncated, "rows_read": int(len(frame))}
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": version, "profile": profile}), encoding="utf-8")
    tmp.replace(cache)
    return profile


def chosen_dataset(state: AgentState) -> dict[str, Any] | None:
    """The data file the planner chose for this turn (`dataset_id`), else the first one."""
    data = [f for f in state.get("workspace_files", []) if f["type"] == "data"]
    wanted = state.get("dataset_id")
    return next((f for f in data if f["id"] == wanted), None) if wanted else next(iter(data), None)


async def profile_dataset(state: AgentState) -> dict[str, Any]:
    """Spec 3.2: profile the turn's dataset (CSV/XLSX) into `analysis_context`.

    Returns the state update (LangGraph style: only the changed keys).
    """
    item = chosen_dataset(state)
    if item is None:
        return {"analysis_context": {}}
    server_path = Path(state.get("material_paths", {})[item["id"]])
    loop = asyncio.get_running_loop()
    profile = await loop.run_in_executor(None, profile_file, server_path, item["ext"])
    context = {
        "material_id": item["id"],
        "filename": item["filename"],
        "var_name": item["var_name"],
        "path_variable": f"{item['var_name']}_path",
        **profile,
    }
    return {"analysis_context": context}


def summarise_profile(context: dict[str, Any]) -> str:
    """One line for the step log: '1,200 rows × 6 columns (3 numeric)'."""
    if not context:
        return "No dataset in this notebook."
    rows, cols = context["shape"]
    return (
        f"{context['filename']}: {rows:,} rows × {cols} columns "
        f"({len(context['numeric_columns'])} numeric); columns: {', '.join(context['columns'][:12])}"
    )
