"""Start-up fixes applied to Pyodide 0.27.7's `pyodide.asm.js` when the modern bundle is built.

`loadPackage` links a package's shared libraries one after another, and each
one's WebAssembly compile starts only when the previous one is linked. The
sandboxed worker gets no compiled-code cache, so the ~80 libraries of the
pre-warm packages are compiled on every start. Now, as soon as a wheel is
unpacked, all its libraries start compiling (`WebAssembly.compile`, off the
worker's thread) and are still linked in Pyodide's order; a library that does
not compile falls back to the original path (and its original error).

Each wheel was unpacked by Python's `zipfile` inside WebAssembly; a wheel
whose members are all stored (the pre-warm ones) is now copied into the file
system from JavaScript (UNPACK_STORED below), and any other wheel still takes
Pyodide's `unpack_buffer`.

Same mechanism as loader_patches.py (the classic build): each patch replaces
an exact snippet that must occur exactly once, or the build stops.
"""

from __future__ import annotations

from pathlib import Path

import loader_patches
from loader_patches import Patch

# What `unpack_buffer` does for a wheel (extract every member, write INSTALLER and
# PYODIDE_SOURCE into its one .dist-info, return the paths of the .so files that
# `should_load_dynlib` accepts), done in JavaScript for a wheel whose members are
# all stored (the pre-warm wheels, see build_modern.store_prewarm_wheels): each
# member is a slice of the downloaded buffer, already checked against the lock's
# sha256 by loadPackage's fetch, and the file system keeps that slice as the
# file's contents (canOwn: no copy of the 63 MB; the downloaded buffer is used
# for nothing else). A `<name>.data` directory is unpacked like the rest and its
# `data/` files are also copied under sys.prefix, as `install_datafiles` does
# (fonttools ships a man page there, which sent it down Python's path, costing
# zipfile + tarfile imports and an extraction inside WebAssembly on every start).
# Anything else (a deflated member, zip64, two .data directories, an unusual
# name, no single .dist-info) returns null, which takes Pyodide's own path.
UNPACK_STORED = (
    "function keplerUnpackStored(t,e,r,n,o,a){try{"
    'if(!/\\.whl$/.test(r)||typeof n!=="string"||n[0]!=="/")return null;n=n.replace(/\\/+$/,"");'
    "let u=e instanceof Uint8Array?e:ArrayBuffer.isView(e)?new Uint8Array(e.buffer,e.byteOffset,e.byteLength)"
    ":new Uint8Array(e),v=new DataView(u.buffer,u.byteOffset,u.byteLength),L=u.length,q=-1;"
    "for(let i=L-22;i>=Math.max(0,L-65557);i--)if(v.getUint32(i,!0)===0x06054b50){q=i;break}"
    "if(q<0)return null;let c=v.getUint16(q+10,!0),p=v.getUint32(q+16,!0);"
    "if(c===0xffff||p===0xffffffff)return null;"
    'let d=new TextDecoder("utf-8",{fatal:!0}),f=[],g=new Set,h=new Set,D=new Set;'
    "for(let k=0;k<c;k++){if(p+46>L||v.getUint32(p,!0)!==0x02014b50)return null;"
    "let l=v.getUint16(p+8,!0),m=v.getUint16(p+10,!0),w=v.getUint32(p+20,!0),x=v.getUint32(p+24,!0),"
    "z=v.getUint16(p+28,!0),b=v.getUint32(p+42,!0),j=u.subarray(p+46,p+46+z);"
    "p+=46+z+v.getUint16(p+30,!0)+v.getUint16(p+32,!0);"
    "if(l&1||m!==0||w!==x||w===0xffffffff||b===0xffffffff||!(l&2048)&&j.some(C=>C>127))return null;"
    "let N=d.decode(j),S=N.replace(/\\/$/,\"\").split(\"/\");"
    'if(N.includes("\\\\")||S.some(s=>s===""||s==="."||s===".."))return null;'
    "if(S.length>1&&/\\.data$/.test(S[0]))D.add(S[0]);"
    "if(S.length>1&&/\\.dist-info$/.test(S[0]))h.add(S[0]);"
    'if(N.endsWith("/")){g.add(N.slice(0,-1));continue}'
    "if(b+30>L||v.getUint32(b,!0)!==0x04034b50)return null;"
    "let s0=b+30+v.getUint16(b+26,!0)+v.getUint16(b+28,!0);if(s0+w>L)return null;f.push([N,s0,w])}"
    "if(h.size!==1||D.size>1||D.size&&r.split(\"/\").pop().split(\"-\").length<5)return null;let F=Module.FS;F.mkdirTree(n);for(let G of g)F.mkdirTree(n+\"/\"+G);"
    "let made=new Set;for(let[N,s0,w]of f){let i=N.lastIndexOf(\"/\");"
    "if(i>0){let G=N.slice(0,i);made.has(G)||(F.mkdirTree(n+\"/\"+G),made.add(G))}"
    "F.writeFile(n+\"/\"+N,u.subarray(s0,s0+w),{canOwn:!0})}"
    'let I=n+"/"+[...h][0];o&&F.writeFile(I+"/INSTALLER",o);a&&F.writeFile(I+"/PYODIDE_SOURCE",a);'
    # install_datafiles: a .data dir named for the wheel has its data/ scheme copied under sys.prefix
    'if(D.size){let X=[...D][0],C=s=>s.replace(/[-_.]+/g,"-").toLowerCase(),W=r.split("/").pop().split("-");'
    'if(C(X).startsWith(C(W.slice(0,-4).join("-")))){'
    'let P=t.package_loader.sys,R=P.prefix.replace(/\\/+$/,"");P.destroy();'
    'for(let[N,s0,w]of f)if(N.startsWith(X+"/data/")){let T=R+"/"+N.slice(X.length+6),i=T.lastIndexOf("/");'
    'i>0&&F.mkdirTree(T.slice(0,i));F.writeFile(T,u.slice(s0,s0+w))}}}'
    "let Q=t.package_loader.should_load_dynlib,out=[];"
    "for(let[N]of f)/\\.so/.test(N)&&Q(N)&&out.push(n+\"/\"+N);Q.destroy();return out"
    "}catch(E){return null}}"
)


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
    Patch(
        "pyodide.asm.js",
        "unpack a wheel whose members are all stored by copying them into the file system from JavaScript",
        "var Ie,ke,te=class{constructor(e,r){D(this,Ie,void 0);D(this,ke,void 0);M(this,Ie,e),M(this,ke,new Z(e,r))}"
        "async install(e,r,n,o,a){let s=y(this,Ie).package_loader.unpack_buffer.callKwargs({buffer:e,filename:r,"
        "extract_dir:n,installer:o,source:a,calculate_dynlibs:!0});",
        UNPACK_STORED
        + "var Ie,ke,te=class{constructor(e,r){D(this,Ie,void 0);D(this,ke,void 0);M(this,Ie,e),M(this,ke,new Z(e,r))}"
        "async install(e,r,n,o,a){let s=keplerUnpackStored(y(this,Ie),e,r,n,o,a)||"
        "y(this,Ie).package_loader.unpack_buffer.callKwargs({buffer:e,filename:r,"
        "extract_dir:n,installer:o,source:a,calculate_dynlibs:!0});",
    ),
]


def apply(root: Path, log=print) -> None:
    """Patch the staged 0.27.7 core files under `root` in place."""
    loader_patches.apply(root, log, PATCHES)
