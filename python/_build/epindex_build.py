"""A minimal PEP 517 / PEP 660 backend for epindex, standard library only.

Why handwritten: `pip install ./python` must work offline on every CPython the project
supports, and pip's isolated build environment cannot install setuptools or flit-core
without an index. The project is one pure-Python package under src/ with static metadata in
pyproject.toml, which is all this backend handles.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
PACKAGE = "epindex"


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _project() -> Dict[str, str]:
    # The few static fields this project uses; tomllib is 3.11+ only.
    text = _read(os.path.join(ROOT, "pyproject.toml")).decode("utf-8")
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^(\w[\w-]*)\s*=\s*"([^"]*)"', section, re.M))
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0] if "[project.scripts]" in text else ""
    fields["scripts"] = "".join(f"{k} = {v}\n" for k, v in re.findall(r'^(\S+)\s*=\s*"([^"]*)"', scripts, re.M))
    return fields


def _array(key: str) -> List[str]:
    """A `key = ["a", "b", ...]` array of plain strings in [project] (one line or several)."""
    text = _read(os.path.join(ROOT, "pyproject.toml")).decode("utf-8")
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]
    m = re.search(r"^" + re.escape(key) + r"\s*=\s*\[(.*?)\]", section, re.M | re.S)
    return re.findall(r'"([^"]*)"', m.group(1)) if m else []


def _license_files() -> List[Tuple[str, str]]:
    """(path relative to the project, absolute path) of each file `license-files` names."""
    return [(f, os.path.join(ROOT, f)) for f in _array("license-files")]


def _metadata() -> str:
    # Core metadata 2.4: License-Expression and License-File (PEP 639); the readme is Markdown.
    p = _project()
    readme = _read(os.path.join(ROOT, p["readme"])).decode("utf-8")
    head = [
        "Metadata-Version: 2.4",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p['description']}",
        f"Keywords: {','.join(_array('keywords'))}",
        f"License-Expression: {p['license']}",
        *(f"License-File: {f}" for f, _ in _license_files()),
        *(f"Classifier: {c}" for c in _array("classifiers")),
        f"Requires-Python: {p['requires-python']}",
        "Description-Content-Type: text/markdown; charset=UTF-8",
    ]
    return "\n".join(head) + "\n\n" + readme


def _dist_info() -> str:
    p = _project()
    return f"{p['name']}-{p['version']}.dist-info"


def _package_files() -> List[Tuple[str, str]]:
    out = []
    for d, dirs, files in os.walk(os.path.join(SRC, PACKAGE)):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if f.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(d, f)
            out.append((os.path.relpath(full, SRC).replace(os.sep, "/"), full))
    return out


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def _write_wheel(wheel_directory: str, files: List[Tuple[str, bytes]]) -> str:
    p = _project()
    name = f"{p['name']}-{p['version']}-py3-none-any.whl"
    di = _dist_info()
    files = files + [(f"{di}/licenses/{rel}", _read(full)) for rel, full in _license_files()] + [
        (f"{di}/METADATA", _metadata().encode()),
        (f"{di}/WHEEL", b"Wheel-Version: 1.0\nGenerator: epindex_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{di}/entry_points.txt", ("[console_scripts]\n" + p["scripts"]).encode()),
    ]
    record = "".join(_record_line(n, d) for n, d in files) + f"{di}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files + [(f"{di}/RECORD", record.encode())]:
            info = zipfile.ZipInfo(n, (2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
    return name


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


get_requires_for_build_sdist = get_requires_for_build_wheel
get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    di = os.path.join(metadata_directory, _dist_info())
    os.makedirs(di, exist_ok=True)
    with open(os.path.join(di, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, [(n, _read(full)) for n, full in _package_files()])


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, [("__editable__.epindex.pth", (SRC + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    p = _project()
    base = f"{p['name']}-{p['version']}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        def add(arc: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{base}/{arc}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1577836800
            tar.addfile(info, io.BytesIO(data))
        for rel in ("pyproject.toml", "README.md", "_build/epindex_build.py", *(f for f, _ in _license_files())):
            add(rel, _read(os.path.join(ROOT, rel)))
        for n, full in _package_files():
            add("src/" + n, _read(full))
        add("PKG-INFO", _metadata().encode())
    name = base + ".tar.gz"
    with open(os.path.join(sdist_directory, name), "wb") as f:
        f.write(buf.getvalue())
    return name
