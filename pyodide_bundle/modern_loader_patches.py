"""Start-up fix applied to Pyodide 0.27.7's `pyodide.asm.js` when the modern bundle is built.

`loadPackage` links a package's shared libraries one after another, and each
one's WebAssembly compile starts only when the previous one is linked. The
sandboxed worker gets no compiled-code cache, so the ~80 libraries of the
pre-warm packages are compiled on every start. Now, as soon as a wheel is
unpacked, all its libraries start compiling (`WebAssembly.compile`, off the
worker's thread) and are still linked in Pyodide's order; a library that does
not compile falls back to the original path (and its original error).

Same mechanism as loader_patches.py (the classic build): each patch replaces
an exact snippet that must occur exactly once, or the build stops.
"""

from __future__ import annotations

import sys
from pathlib import Path

from loader_patches import Patch

PATCHES = [
    Patch(
        "pyodide.asm.js",
        "start compiling all of a package's shared libraries as soon as it is unpacked",
        'async loadDynlibsFromPackage(e,r){let n=`${y(this,ee).sitepackages}/${e.file_name.split("-")[0]}.libs`;'
        "for(let o of r)await this.loadDynlib(o,!1,[n])}",
        'async loadDynlibsFromPackage(e,r){let n=`${y(this,ee).sitepackages}/${e.file_name.split("-")[0]}.libs`;'
        "let k=y(this,b);k.keplerCompiled||(k.keplerCompiled=new Map);"
        "for(let o of r)try{let m=WebAssembly.compile(k.FS.readFile(o));m.catch(()=>{});k.keplerCompiled.set(o,m)}catch{}"
        "for(let o of r)await this.loadDynlib(o,!1,[n])}",
    ),
    Patch(
        "pyodide.asm.js",
        "link a library from its already started compile, in the original order",
        "if(flags.loadAsync){return loadLibData().then(libData=>loadWebAssemblyModule(libData,flags,libName,"
        "localScope,handle))}",
        "if(flags.loadAsync){var compiled=Module.keplerCompiled&&Module.keplerCompiled.get(libName);"
        "if(compiled){Module.keplerCompiled.delete(libName);return compiled.catch(()=>loadLibData())"
        ".then(libData=>loadWebAssemblyModule(libData,flags,libName,localScope,handle))}"
        "return loadLibData().then(libData=>loadWebAssemblyModule(libData,flags,libName,"
        "localScope,handle))}",
    ),
]


def apply(root: Path, log=print) -> None:
    """Patch the staged core files under `root` in place."""
    texts: dict[str, str] = {}
    for p in PATCHES:
        text = texts.get(p.file)
        if text is None:
            text = (root / p.file).read_text(encoding="utf-8")
        count = text.count(p.old)
        if count != 1:
            sys.exit(f"loader patch '{p.why}': expected the snippet once in {p.file}, found it {count} times")
        texts[p.file] = text.replace(p.old, p.new)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    log(f"patched the loader ({len(PATCHES)} fixes in {', '.join(sorted(texts))})")
