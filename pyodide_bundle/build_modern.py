"""The modern runtime profile: the official Pyodide core from npm, served at
/pyodide/modern/ and loaded by frontend/src/runtime/pyodide.worker.modern.mjs.

Inputs, all pinned by sha256 and cached in pyodide_bundle/cache/:
- the npm package `pyodide@314.0.7` (`npm pack`): core only (Python 3.14,
  the stdlib, a pyodide-lock.json naming the packages of the full release but
  none of their files);
- pure-Python wheels from PyPI that run on any Python 3 (the classic build's
  cached openpyxl + et-xmlfile + tabulate, so no extra download);
- optionally an official full release archive (`PYODIDE_FULL_ARCHIVE`: an
  extracted release directory or its `.tar.bz2`), whose lock and wheels give
  numpy, pandas, matplotlib, ... The archive must match the core's Python and
  ABI.

The output's pyodide-lock.json names exactly what dist/modern holds: the
archive's packages the product needs (and their dependencies) plus the pure
wheels, added with pyodide-lock (`add_wheels_to_spec`: imports, dependencies
and sha256 read from each wheel, checked against the core's Python). Pyodide
then loads every one of them with `loadPackage`/`loadPackagesFromImports`, no
micropip needed, and an import of anything else fails as ModuleNotFoundError
instead of reaching for a CDN.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import build_bundle as common

PYODIDE_NPM = "pyodide@314.0.7"
PYODIDE_VERSION = "314.0.7"
PYODIDE_TARBALL = "pyodide-314.0.7.tgz"
PYODIDE_TARBALL_SHA256 = "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0"
INDEX_URL = "/pyodide/modern/"
LOCK_NAME = "pyodide-lock.json"

CORE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", LOCK_NAME]

# Pure-Python wheels (py3-none-any) shipped even without an archive; the
# archive's own build of a package wins when it has one.
WHEEL_NAMES = ["et-xmlfile", "openpyxl", "tabulate"]

# What the product wants from a full release archive (lock names); their
# dependencies come along.
ARCHIVE_PACKAGES = [
    "numpy", "pandas", "matplotlib", "scipy", "scikit-learn", "statsmodels", "networkx", "pillow",
    "xlrd", "jinja2", "lxml", "fonttools", "typing-extensions", "micropip",
]

KALEIDO = {"name": "kaleido", "reason": "static Plotly image export needs a native Chromium binary; there is "
           "no WebAssembly build. Charts are matplotlib PNGs."}
NO_ARCHIVE_REASON = ("not in the npm core (an official full release has it): set PYODIDE_FULL_ARCHIVE to one "
                     "release and rebuild")


def log(msg: str) -> None:
    common.log(f"modern: {msg}")


def fetch_core_tarball() -> Path:
    target = common.CACHE / PYODIDE_TARBALL

    def fetch():
        log(f"npm pack {PYODIDE_NPM}")
        subprocess.run(["npm", "pack", PYODIDE_NPM, "--silent"], cwd=common.CACHE, check=True,
                       stdout=subprocess.DEVNULL)

    return common.cached_download(target, PYODIDE_TARBALL_SHA256, fetch)


# --- the full release archive ----------------------------------------------------

class Archive:
    """An official full release: a directory holding pyodide-lock.json (or a
    `pyodide/` folder that does) or the `.tar.bz2` of one."""

    def __init__(self, path: Path):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists():
            sys.exit(f"PYODIDE_FULL_ARCHIVE {self.path} does not exist")
        self.is_dir = self.path.is_dir()
        if self.is_dir:
            roots = [self.path, self.path / "pyodide"]
            found = [r for r in roots if (r / LOCK_NAME).is_file()]
            if not found:
                sys.exit(f"{self.path} holds no {LOCK_NAME}")
            self.root = found[0]
            self.lock = json.loads((self.root / LOCK_NAME).read_text(encoding="utf-8"))
        else:
            with tarfile.open(self.path) as tar:
                locks = [m for m in tar.getmembers() if m.name.rsplit("/", 1)[-1] == LOCK_NAME]
                if not locks:
                    sys.exit(f"{self.path} holds no {LOCK_NAME}")
                member = min(locks, key=lambda m: m.name.count("/"))
                self.prefix = member.name[: -len(LOCK_NAME)]
                self.lock = json.load(tar.extractfile(member))

    def fingerprint(self) -> str:
        if self.is_dir:
            return f"dir:{common.sha256_of(self.root / LOCK_NAME)}"
        st = self.path.stat()
        return f"tar:{self.path}:{st.st_size}:{int(st.st_mtime)}"

    def copy_files(self, names: list[str], dest: Path) -> None:
        if self.is_dir:
            for name in names:
                src = self.root / name
                if not src.is_file():
                    sys.exit(f"the archive's lock names {name}, which {self.root} lacks")
                shutil.copyfile(src, dest / name)
            return
        wanted = {self.prefix + n: n for n in names}
        with tarfile.open(self.path) as tar:  # one sequential pass over the archive
            for member in tar:
                rel = wanted.pop(member.name, None)
                if rel is not None:
                    with tar.extractfile(member) as src, (dest / rel).open("wb") as dst:
                        shutil.copyfileobj(src, dst)
        if wanted:
            sys.exit(f"the archive's lock names {sorted(wanted.values())}, which {self.path} lacks")


def closure(lock_packages: dict, roots: list[str]) -> list[str]:
    seen: set[str] = set()
    stack = [r for r in roots if r in lock_packages]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(lock_packages[name]["depends"])
    return sorted(seen)


# --- pyodide-lock -------------------------------------------------------------------

def lock_spec(raw: dict):
    """The lock as a pyodide-lock model. pyodide-lock 0.1.2 (the newest on PyPI)
    predates the 314 layout: it wants `info.version` and knows no `tool` keys,
    so the model sees a copy with those adjusted; the file written keeps the
    core's own layout."""
    from pyodide_lock import PyodideLockSpec

    view = json.loads(json.dumps(raw))
    view.pop("tool", None)
    view["info"].setdefault("version", PYODIDE_VERSION)
    for p in view["packages"].values():
        p.pop("tool", None)
    return PyodideLockSpec(**view)


def wheel_lock_entries(base: dict, wheels: list[Path], wheels_dir: Path) -> dict:
    """Lock entries for pure wheels, computed by pyodide-lock from the wheels
    themselves (name, version, imports, sha256, depends resolved against
    `base`), with file names relative to the lock: wheels/<file>."""
    from pyodide_lock.utils import add_wheels_to_spec

    spec = add_wheels_to_spec(lock_spec(base), wheels, base_path=wheels_dir)
    added = {n: p for n, p in spec.packages.items() if n not in base["packages"]}
    # name and version in each file name agree with the wheel's metadata
    # (checked on bare file names: pyodide-lock's check rejects a folder prefix)
    spec.packages = added
    spec.check_wheel_filenames()
    return {n: {**p.model_dump(), "file_name": "wheels/" + p.file_name, "tool": {}} for n, p in added.items()}


# --- the build ------------------------------------------------------------------------

def fingerprint(archive: Archive | None) -> str:
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(Path(common.__file__).read_bytes())
    h.update((archive.fingerprint() if archive else "no-archive").encode())
    return h.hexdigest()


def build(dist: Path, archive: Archive | None = None, archive_packages: list[str] | None = None) -> dict:
    """Build the modern profile into `dist` (normally pyodide_bundle/dist/modern)."""
    archive_packages = ARCHIVE_PACKAGES if archive_packages is None else archive_packages
    common.CACHE.mkdir(parents=True, exist_ok=True)
    tarball = fetch_core_tarball()
    by_name = {w.name: w for w in common.WHEELS}
    wheel_paths = {n: common.fetch_wheel(by_name[n]) for n in WHEEL_NAMES}

    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    wanted = {f"package/{f}": f for f in CORE_FILES}
    with tarfile.open(tarball, "r|gz") as tar:
        for member in tar:
            rel = wanted.pop(member.name, None)
            if rel is not None:
                with tar.extractfile(member) as src, (staging / rel).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    if wanted:
        sys.exit(f"{PYODIDE_TARBALL} lacks {sorted(wanted.values())}")
    core_lock = json.loads((staging / LOCK_NAME).read_text(encoding="utf-8"))
    python_version = core_lock["info"]["python"]

    # 1. the archive's packages the product needs
    lock = {**core_lock, "packages": {}}
    from_archive: list[str] = []
    if archive is not None:
        for key in ("python", "abi_version", "platform", "arch"):
            if archive.lock["info"].get(key) != core_lock["info"].get(key):
                sys.exit(f"the archive is for {key}={archive.lock['info'].get(key)!r}, the core "
                         f"{PYODIDE_NPM} for {core_lock['info'].get(key)!r}: use the matching full release")
        from_archive = closure(archive.lock["packages"], archive_packages)
        lock["packages"] = {n: archive.lock["packages"][n] for n in from_archive}
        files = [lock["packages"][n]["file_name"] for n in from_archive]
        if any("/" in f or f.startswith(".") for f in files):
            sys.exit(f"the archive's lock names files outside its folder: {files}")
        archive.copy_files(files, staging)
        for n in from_archive:
            entry = lock["packages"][n]
            got = common.sha256_of(staging / entry["file_name"])
            if got != entry["sha256"]:
                sys.exit(f"{entry['file_name']}: sha256 {got} does not match the archive's lock")

    # 2. pure wheels the archive does not already provide
    wheels = [n for n in WHEEL_NAMES if n not in lock["packages"]]
    (staging / "wheels").mkdir()
    for n in wheels:
        shutil.copyfile(wheel_paths[n], staging / "wheels" / by_name[n].filename)
    if wheels:
        lock["packages"] |= wheel_lock_entries(
            lock, [staging / "wheels" / by_name[n].filename for n in wheels], staging / "wheels")
    lock["packages"] = dict(sorted(lock["packages"].items()))
    lock_spec(lock)  # the written lock validates against pyodide-lock's model
    (staging / LOCK_NAME).write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    packages = []
    for name, entry in lock["packages"].items():
        packages.append({
            "name": name,
            "version": entry["version"],
            "imports": sorted(entry.get("imports") or []),
            "source": "wheel" if entry["file_name"].startswith("wheels/") else "pyodide",
            "depends": sorted(entry.get("depends") or []),
            "files": [common.file_entry(staging, entry["file_name"])],
        })
    packages.sort(key=lambda p: p["name"].lower())
    have = {p["name"] for p in packages}
    excluded = [KALEIDO] + [{"name": n, "reason": NO_ARCHIVE_REASON if archive is None else
                             "not in the full release archive"}
                            for n in archive_packages if n not in have]
    manifest = {
        "profile": "modern",
        "pyodide_version": PYODIDE_VERSION,
        "python_version": python_version,
        "index_url": INDEX_URL,
        "packages": packages,
        "core_files": [common.file_entry(staging, f) for f in CORE_FILES],
        "excluded": sorted(excluded, key=lambda e: e["name"]),
    }
    (staging / "manifest.json").write_text(common.manifest_text(manifest))
    (staging / common.STAMP_NAME).write_text(fingerprint(archive) + "\n")
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return manifest


def build_if_needed(dist: Path, archive_path: str | None, force: bool = False) -> None:
    archive = Archive(Path(archive_path)) if archive_path else None
    stamp = fingerprint(archive)
    if not force and common.dist_is_current(dist, stamp):
        log(f"{dist} is up to date")
        return
    manifest = build(dist, archive)
    total = sum(f["size"] for p in manifest["packages"] for f in p["files"]) + sum(
        f["size"] for f in manifest["core_files"])
    log(f"built {dist}: Python {manifest['python_version']}, {len(manifest['packages'])} packages, "
        f"{total / 1e6:.1f} MB")
    if not common.dist_is_current(dist, stamp):
        sys.exit("the freshly built modern dist does not verify against its manifest")
