"""Start-up fixes applied to Pyodide 0.17.1's loader scripts when the bundle is built.

A trace of the worker thread during a page load in Chromium showed that much
of the start was not Python at all but the 2021 Emscripten loader:

1. `reportUndefinedSymbols` walked the *whole* global offset table (~40,000
   `WebAssembly.Global`s, reading each `.value`) after every shared library it
   linked; numpy + pandas + matplotlib link ~75 libraries, so this was ~1.1 s
   of every start. Now the entries that may be unresolved (created by a
   library's imports, or left at 0 by `updateGOT`) are queued, and a pass looks
   only at those; the ones still 0 stay queued. "Unresolved" is the test the
   original loop uses: the value is 0.
2. Linking a library zeroed its static memory one byte at a time in a JS loop
   (now `HEAP8.fill`) and copied all ~7,700 properties of `Module` into its
   import object (now looked up when the library asks for one).
3. Unpacking a package ran `FS.createPath` (a failing `mkdir` per path
   component) and `FS.analyzePath` for every *file*; now once per directory.
4. A package's shared libraries were compiled one after another, each waiting
   for the previous one to be linked; now they are compiled in parallel (off
   the thread) and still linked in the original order.
5. Python byte-compiled its own start-up modules (encodings, site, pyodide,
   asyncio, ...) on every load, because the bundle's `.pyc` files
   (precompile.py) could only be installed once Python was running.
   `loadPyodide` now accepts `preRun` callbacks, which run before `main()`
   with `Module.FS` and `Module.ENV` usable.

Each patch replaces an exact snippet that must occur exactly once; if the
input ever changes, the build stops instead of shipping a half-patched file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Patch:
    file: str
    why: str
    old: str
    new: str


PATCHES = [
    Patch(
        "pyodide.asm.js",
        "GOT entries that may be unresolved: new ones are queued where they are created",
        'var GOT={};Module["GOT"]=GOT;var GOTHandler={get:function(obj,symName){if(!GOT[symName])'
        '{GOT[symName]=new WebAssembly.Global({value:"i32",mutable:true})}return GOT[symName]}};',
        'var GOT={};Module["GOT"]=GOT;var GOT_unresolved=[];var GOTHandler={get:function(obj,symName)'
        '{if(!GOT[symName]){GOT[symName]=new WebAssembly.Global({value:"i32",mutable:true});'
        'GOT_unresolved.push(symName)}return GOT[symName]}};',
    ),
    Patch(
        "pyodide.asm.js",
        "updateGOT may leave an entry at 0 (or write 0): queue those",
        "if(!newFn)newFn=GOT[baseName].value;",
        "if(!newFn)newFn=GOT[baseName].value;if(!newFn)GOT_unresolved.push(baseName);",
    ),
    Patch(
        "pyodide.asm.js",
        "resolve only the queued entries (each is queued again, and dropped at the next pass once non-zero)",
        'function reportUndefinedSymbols(){for(var symName in GOT){if(GOT[symName].value==0){',
        'function reportUndefinedSymbols(){var queued=GOT_unresolved;GOT_unresolved=[];'
        'var seen=new Set;for(var i=0;i<queued.length;i++){var symName=queued[i];'
        'if(seen.has(symName))continue;seen.add(symName);'
        'if(GOT[symName].value!=0)continue;GOT_unresolved.push(symName);{',
    ),
    Patch(
        "pyodide.asm.js",
        "zero a library's static memory in one native call",
        "for(var i=memoryBase;i<memoryBase+memorySize;i++){HEAP8[i]=0}",
        "HEAP8.fill(0,memoryBase,memoryBase+memorySize);",
    ),
    Patch(
        "pyodide.asm.js",
        "a library's imports fall back to Module's properties when asked, instead of "
        "copying all ~7,700 of them into the import object for every library",
        'for(var x in Module){if(!(x in env)){env[x]=Module[x]}}var proxyHandler={"get":function(obj,prop)'
        '{switch(prop){case"__memory_base":return memoryBase;case"__table_base":return tableBase}'
        'if(prop in obj){return obj[prop]}',
        'var proxyHandler={"get":function(obj,prop)'
        '{switch(prop){case"__memory_base":return memoryBase;case"__table_base":return tableBase}'
        'if(prop in obj){return obj[prop]}if(prop in Module){return obj[prop]=Module[prop]}',
    ),
    Patch(
        "pyodide.asm.js",
        "unpacking a package: create and look up each directory once, not once per file",
        'pack["metadata"].files.forEach(function(file){var dir=PATH.dirname(file.filename);'
        'var name=PATH.basename(file.filename);FS.createPath("",dir,true,true);'
        'var parent=FS.analyzePath(dir).object;LZ4.createNode(',
        'var parents=new Map;pack["metadata"].files.forEach(function(file){'
        'var dir=PATH.dirname(file.filename);var name=PATH.basename(file.filename);'
        'var parent=parents.get(dir);if(!parent){FS.createPath("",dir,true,true);'
        'parent=FS.analyzePath(dir).object;parents.set(dir,parent)}LZ4.createNode(',
    ),
    Patch(
        "pyodide.asm.js",
        "compile a package's shared libraries in parallel; link them in order as before",
        'wasmPlugin["handle"]=function(byteArray,name,onload,onerror){this["asyncWasmLoadPromise"]='
        'this["asyncWasmLoadPromise"].then(function(){return loadWebAssemblyModule(byteArray,'
        '{loadAsync:true,nodelete:true})})',
        'wasmPlugin["handle"]=function(byteArray,name,onload,onerror){'
        'var compiled=WebAssembly.compile(byteArray);this["asyncWasmLoadPromise"]='
        'this["asyncWasmLoadPromise"].then(function(){return compiled}).then(function(module)'
        '{return loadWebAssemblyModule(module,{loadAsync:true,nodelete:true})})',
    ),
    Patch(
        "pyodide.js",
        "let the caller run code before Python's main() (write .pyc files, set ENV)",
        "  Module.locateFile = (path) => baseURL + path;\n\n  let moduleLoaded",
        "  Module.locateFile = (path) => baseURL + path;\n"
        "  // KeplerLab: callbacks run before main(), with Module.FS and Module.ENV usable.\n"
        "  Module.preRun = [].concat(config.preRun || []);\n\n  let moduleLoaded",
    ),
]


def apply(root: Path, log=print, patches: list[Patch] | None = None) -> None:
    """Patch the staged core files under `root` in place (`patches`: PATCHES by default)."""
    patches = PATCHES if patches is None else patches
    texts: dict[str, str] = {}
    for p in patches:
        text = texts.get(p.file)
        if text is None:
            text = (root / p.file).read_text(encoding="utf-8")
        count = text.count(p.old)
        if count != 1:
            sys.exit(f"loader patch '{p.why}': expected the snippet once in {p.file}, found it {count} times")
        texts[p.file] = text.replace(p.old, p.new)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    log(f"patched the loader ({len(patches)} fixes in {', '.join(sorted(texts))})")
