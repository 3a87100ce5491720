"""Self-healing benchmark: broken snippets through the product's real repair path.

    .venv/bin/python bench/repair_bench.py [--profile classic] [--only ID] [-v]

Each case of bench/repair_corpus/cases.py (a request, the code a model wrote,
a check) runs the way a turn does: the real workspace header, the REAL browser
runtime (Debian Chromium, headless, through pyodide_bundle/harness), the
expected-output check, stderr mapped to the model's lines and cleaned, then the
real repair rules, up to MAX_CODE_REPAIR_ATTEMPTS repairs, with NO model: a
case the rules cannot fix counts as a model call that was needed. A case passes
when its check holds after the last run (stdout substring / output file).

Prints per case the outcome and attempts, then the fraction fixed (of the
cases broken on their first run) and the attempts used. Target: >= 70% of the
broken cases fixed with 0 model calls. `--profile` defaults to the configured
PYODIDE_PROFILE (the default runtime).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
sys.path.insert(0, str(ROOT / "playwright_tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from static_server import StaticServer, default_routes  # noqa: E402

from app.core.config import get_settings  # noqa: E402
from app.services.agent.error_reading import (  # noqa: E402
    clean_stderr,
    error_summary,
    header_line_count,
    map_traceback_lines,
)
from app.services.agent.nodes import expected_output_error  # noqa: E402
from app.services.agent.request_reading import expected_outputs  # noqa: E402
from app.services.agent.state import initial_state  # noqa: E402
from app.services.agent.tools.code_repair import RepairContext, repair_code_detailed  # noqa: E402
from app.services.agent.tools.data_profiler import profile_file  # noqa: E402
from app.services.agent.tools.workspace_builder import build_workspace_header, workspace_file_for  # noqa: E402

CORPUS = ROOT / "bench" / "repair_corpus"
DATA = CORPUS / "data"
OUTPUT_DIR = "output/generated/bench/s1"
_POOL = ThreadPoolExecutor(max_workers=1)
RUN_TIMEOUT_S = 20  # the bench's per-run limit (the product's default is CODE_EXECUTION_TIMEOUT)


def load_cases() -> list[dict]:
    spec = importlib.util.spec_from_file_location("repair_cases", CORPUS / "cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


class NoModel:
    """Stands where the model would be: counts the calls, never answers with a fix."""

    def __init__(self) -> None:
        self.calls = 0

    async def ainvoke(self, prompt):
        self.calls += 1
        return ""


class BrowserRuntime:
    """The harness page in headless Chromium: runs ExecuteRequest-shaped code in the real worker."""

    def __init__(self, pw, server: StaticServer, profile: str) -> None:
        self.browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        self.page = self.browser.new_page()
        self.page.goto(server.url(f"/harness/index.html?profile={profile}"))
        self.page.wait_for_function("window.harnessLoaded === true")
        self.info = self.page.evaluate("harness.start()")

    def run(self, code: str, mounts: list[dict], timeout_s: int = RUN_TIMEOUT_S) -> dict:
        return self.page.evaluate(
            "([c, m, t, o]) => harness.run(c, {timeout_s: t, output_dir: o, mounts: m})"
            ".then(r => ({ok: r.ok, stdout: r.stdout, stderr: r.stderr, timed_out: !!r.timed_out,"
            " vars: r.vars || {}, files: r.files.map(f => ({name: f.name, size: f.size}))}))",
            [code, mounts, timeout_s, OUTPUT_DIR],
        )

    def reset(self) -> None:
        self.page.evaluate("harness.reset()")

    def close(self) -> None:
        self.browser.close()


@dataclass
class Outcome:
    case_id: str
    broken_at_first: bool
    passed: bool
    repairs: int  # rule repairs applied
    model_needed: bool  # the rules had no fix for an error that remained
    first_error: str = ""
    last_error: str = ""
    summaries: list[str] = field(default_factory=list)


def case_state(case: dict):
    taken: set[str] = set()
    files = [workspace_file_for(f"m{i}", name, name, name.rsplit(".", 1)[-1], "data", taken)
             for i, name in enumerate(case.get("files", []))]
    state = initial_state(run_id="bench", user_id="bench", session_id="s1", notebook_id="n", message=case["request"],
                          workspace_files=files, material_paths={}, generated_files=[], material_ids=[],
                          started_at=0.0)
    return state, files


def profile_of(filename: str, ext: str) -> dict:
    """The server's profile of a corpus file (what the reflection gives the rules), from a copy:
    profiling caches next to the file, and the corpus folder stays clean."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / filename
        shutil.copyfile(DATA / filename, copy)
        return profile_file(copy, ext)


def check_passes(case: dict, result: dict) -> bool:
    check = case["check"]
    if not result["ok"]:
        return False
    if "stdout" in check and check["stdout"] not in result["stdout"]:
        return False
    return "file" not in check or any(f["name"] == check["file"] and f["size"] > 0 for f in result["files"])


def run_case(runtime: BrowserRuntime, server: StaticServer, case: dict, max_repairs: int, verbose: bool,
             run_timeout: int = RUN_TIMEOUT_S) -> Outcome:
    state, files = case_state(case)
    header = build_workspace_header(state)
    mounts = [{"material_id": f["id"], "name": f["filename"], "path": f["real_path"],
               "url": server.url(f"/files/{f['filename']}")} for f in files]
    first = files[0] if files else None
    profile = profile_of(first["filename"], first["ext"]) if first else {}
    step = {"expected": expected_outputs(case["request"]).as_dict()}
    context_base = dict(columns=profile.get("columns"), dtypes=profile.get("dtypes"),
                        available_paths=[f["real_path"] for f in files], expected=step["expected"],
                        timeout_s=run_timeout)
    runtime.reset()
    code, model = case["code"], NoModel()
    outcome = Outcome(case["id"], broken_at_first=False, passed=False, repairs=0, model_needed=False)
    for attempt in range(max_repairs + 1):
        result = runtime.run(header + "\n" + code, mounts, run_timeout)
        lines = header_line_count(header)
        stderr = clean_stderr(map_traceback_lines(result["stderr"], lines))
        ok = result["ok"]
        if ok:
            missing = expected_output_error(step, [f["name"] for f in result["files"]])
            if missing:
                ok, stderr = False, stderr + missing
        if attempt == 0:
            outcome.broken_at_first = not (ok and check_passes(case, result))
            outcome.first_error = error_summary(stderr) if not ok else ""
        if ok:
            outcome.passed = check_passes(case, result)
            if not outcome.passed:
                outcome.last_error = "ran, but the check failed"
            break
        outcome.last_error = error_summary(stderr)
        if verbose:
            print(f"    [{case['id']} run {attempt + 1}] {outcome.last_error}")
        if attempt == max_repairs:
            break
        context = RepairContext(**context_base, stdout_tail=result["stdout"][-2000:],
                                timed_out=bool(result.get("timed_out")), variables=result.get("vars") or {})
        # Playwright's sync API owns this thread's event loop: the repair runs in its own
        repair = _POOL.submit(asyncio.run, repair_code_detailed(code, stderr, model, context=context)).result()
        if not repair.changed or repair.fixed_by != "rule":
            if verbose:
                print("    stderr seen by the rules:\n" + stderr)
            outcome.model_needed = True
            break
        outcome.repairs += 1
        outcome.summaries.append(repair.summary)
        code = repair.code
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default=get_settings().PYODIDE_PROFILE)
    parser.add_argument("--only", action="append", help="run only these case ids")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--run-timeout", type=int, default=RUN_TIMEOUT_S,
                        help="per-run limit in seconds (package loading counts in it until the worker reports phases)")
    args = parser.parse_args()
    cases = [c for c in load_cases() if not args.only or c["id"] in args.only]
    max_repairs = get_settings().MAX_CODE_REPAIR_ATTEMPTS
    routes = default_routes(DATA)
    started = time.perf_counter()
    with StaticServer(routes) as server, sync_playwright() as pw:
        runtime = BrowserRuntime(pw, server, args.profile)
        try:
            print(f"repair bench: {len(cases)} cases, runtime profile {args.profile} "
                  f"(Python {runtime.info.get('python_version')}), up to {max_repairs} repairs, no model")
            outcomes = []
            for case in cases:
                o = run_case(runtime, server, case, max_repairs, args.verbose, args.run_timeout)
                outcomes.append(o)
                status = ("PASS (untouched)" if o.passed and not o.broken_at_first
                          else f"FIXED in {o.repairs}" if o.passed
                          else "FAIL (needs the model)" if o.model_needed else "FAIL")
                print(f"  {o.case_id:<34} {status:<24} {o.first_error[:70]}")
                if args.verbose and o.summaries:
                    for s in o.summaries:
                        print(f"      rule: {s}")
                if not o.passed and o.last_error and o.last_error != o.first_error:
                    print(f"      last error: {o.last_error[:100]}")
        finally:
            runtime.close()
    broken = [o for o in outcomes if o.broken_at_first]
    fixed = [o for o in broken if o.passed]
    passed = [o for o in outcomes if o.passed]
    print()
    print(f"cases: {len(outcomes)}; broken on the first run: {len(broken)}; passed untouched: "
          f"{len(outcomes) - len(broken) - sum(1 for o in outcomes if not o.broken_at_first and not o.passed)}")
    print(f"fixed by the rules (0 model calls): {len(fixed)}/{len(broken)} = "
          f"{(len(fixed) / len(broken) if broken else 1):.0%} of the broken cases (target >= 70%)")
    print(f"passing after repair, all cases: {len(passed)}/{len(outcomes)} = {len(passed) / len(outcomes):.0%}")
    print(f"would need the model: {sum(o.model_needed for o in outcomes)}")
    if fixed:
        counts = [o.repairs for o in fixed]
        print(f"attempts used by fixed cases: mean {statistics.mean(counts):.2f}, max {max(counts)}, "
              f"distribution {dict(sorted({n: counts.count(n) for n in counts}.items()))}")
    print(f"time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
