"""Zip archives on the search path (``python3X.zip``, zipped eggs, wheels): the same candidates
over the archive's top-level names, in central-directory order (what importlib's
``zip_children`` yields)."""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import Dict, List, Optional, Tuple

from ._diagnostics import Diagnostic
from ._discover import (
    FILE_BYTES, ZERO_STAMP, Dist, Scan, Stamp, apply_metadata_name, candidate_layout, entry_is_egg, errno_text, importlib_facts, normalize_name, order_dists, split_stem, whole_text,
)
from ._metadata import HEADER_LIMIT, read_core_metadata
from ._reader import Line, read_entry_points
from ._text import quote


def _looks_like_zip(root: str) -> bool:
    # As the TypeScript side: a local-file header at the start or an end-of-central-directory record.
    with open(root, "rb") as f:
        head = f.read(4)
        size = os.fstat(f.fileno()).st_size
        if size < 22:
            return False
        if head == b"PK\x03\x04":
            return True
        f.seek(max(0, size - (65536 + 22)))
        return b"PK\x05\x06" in f.read()


#: docs/spec.md §10 (src/limits.ts LIMITS): decompressed bytes read from one archive, entries and
#: central-directory bytes of one archive.
ZIP_TOTAL_BYTES = 64 * 1024 * 1024
ZIP_ENTRIES = 250_000
ZIP_CENTRAL_DIRECTORY_BYTES = 32 * 1024 * 1024
#: Deflate's worst legitimate expansion (src/zip.ts): a member compressed to more is refused.
_MAX_COMPRESSED = FILE_BYTES + -(-FILE_BYTES // 8) + 64 * 1024
#: Output asked of zlib per step: what is held beyond a member's declared size, at most.
_INFLATE_STEP = 64 * 1024


class _Archive:
    """The members discovery reads, with src/zip.ts's checks and messages where they can be
    known before reading (limits, encryption, methods, stored sizes). What only reading finds
    (a CRC, a local header, damaged deflate data) is zipfile's verdict with zipfile's words: the
    TypeScript side says it otherwise, so such a scan is marked ``inexact`` and never cached
    (docs/spec.md §14)."""

    def __init__(self, z: zipfile.ZipFile) -> None:
        self.z = z
        self.read_bytes = 0
        self.inexact: Optional[str] = None

    def member(self, name: str) -> Optional[zipfile.ZipInfo]:
        info = self.z.NameToInfo.get(name)
        return None if info is None or info.is_dir() else info

    def read(self, info: zipfile.ZipInfo, what: str) -> Tuple[Optional[bytes], Optional[Diagnostic]]:
        lost = "no entry points are read from it" if what == "entry_points.txt" else "its Name and Version are not read"
        name = quote(info.filename)

        def limit(message: str) -> Diagnostic:
            return Diagnostic("EP113" if what == "entry_points.txt" else "EP213", f"{message}; {lost}", info.filename)

        if info.flag_bits & 0x61:
            return None, Diagnostic("EP205", f"cannot be read from the zip archive: {name} is {'compressed patched data' if info.flag_bits & 0x20 else 'encrypted'}; {lost}", info.filename)
        if info.compress_type not in (0, 8):
            return None, Diagnostic("EP205", f"cannot be read from the zip archive: {name} uses compression method {info.compress_type} (only stored and deflate are read); {lost}", info.filename)
        if info.file_size > FILE_BYTES:
            return None, limit(f"{name} has {info.file_size} bytes, over the limit of {FILE_BYTES}")
        if self.read_bytes + info.file_size > ZIP_TOTAL_BYTES:
            return None, Diagnostic("EP216", f"reading {name} ({info.file_size} bytes) would pass the limit of {ZIP_TOTAL_BYTES} bytes read from one archive; {lost}", info.filename)
        if info.compress_size > _MAX_COMPRESSED:
            return None, limit(f"{name} has {info.compress_size} compressed bytes, over the limit of {_MAX_COMPRESSED}")
        if info.compress_type == 0 and info.compress_size != info.file_size:
            return None, Diagnostic("EP215", f"zip integrity: {name} is stored, but its compressed size ({info.compress_size}) is not its size ({info.file_size}); {lost}", info.filename)
        try:
            data = self._inflate(info)
        except _Overflow:
            self.inexact = f"{info.filename}: more than {info.file_size} bytes"
            return None, Diagnostic("EP215", f"zip integrity: {name} inflates to more than the {info.file_size} bytes the central directory says; {lost}", info.filename)
        except Exception as e:  # zipfile's BadZipFile (local header), zlib.error, EOFError, OSError
            self.inexact = f"{info.filename}: {e}"
            return None, Diagnostic("EP215", f"zip integrity: {name}: {e}; {lost}", info.filename)
        if len(data) != info.file_size:
            self.inexact = f"{info.filename}: {len(data)} bytes, not {info.file_size}"
            return None, Diagnostic("EP215", f"zip integrity: {name} inflates to {len(data)} bytes, the central directory says {info.file_size}; {lost}", info.filename)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if crc != info.CRC:
            self.inexact = f"{info.filename}: CRC-32 {crc:08x}, not {info.CRC:08x}"
            return None, Diagnostic("EP215", f"zip integrity: {name}: CRC-32 {crc:08x}, the central directory says {info.CRC:08x}; {lost}", info.filename)
        self.read_bytes += info.file_size
        return data, None

    def _inflate(self, info: zipfile.ZipInfo) -> bytes:
        """The member's bytes, inflated in bounded steps: never more than its declared size plus
        one step is held (``zipfile``'s ``read`` asks zlib for up to 2 GiB at once, so a member
        whose central directory lies about its size could take that much memory). The local
        header is checked by ``zipfile`` first (its name, its flags); the compressed bytes,
        at most ``_MAX_COMPRESSED``, are then read from where that header says they start."""
        self.z.open(info).close()
        fp = self.z.fp
        assert fp is not None
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"no local header at {info.header_offset}")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        fp.seek(info.header_offset + 30 + name_length + extra_length)
        raw = fp.read(info.compress_size)
        if len(raw) != info.compress_size:
            raise zipfile.BadZipFile(f"its {info.compress_size} bytes of data run past the end of the file")
        if info.compress_type == zipfile.ZIP_STORED:
            return raw
        inflater = zlib.decompressobj(-15)
        out = bytearray()
        pending = raw
        while not inflater.eof:
            step = inflater.decompress(pending, _INFLATE_STEP)
            out += step
            if len(out) > info.file_size:
                raise _Overflow()
            pending = inflater.unconsumed_tail
            if not step and not pending:
                break
        if not inflater.eof:
            raise EOFError("its deflate data ends before the end of the stream")
        return bytes(out)


class _Overflow(Exception):
    """A member inflates to more than its declared size (inflation stopped there)."""


def _unsearchable(path_entry: str, stamp: Optional[Stamp], dev: int, d: Diagnostic, inexact: Optional[str] = None) -> Scan:
    return Scan(path_entry, "unsearchable", [], [d], [], [], stamp, dev, inexact)


def scan_zip(path_entry: str, root: str, stamp: Optional[Stamp], dev: int) -> Scan:
    is_egg = entry_is_egg(root)
    try:
        if not _looks_like_zip(root):
            return Scan(path_entry, "unsearchable", [], [], [], [], stamp, dev)
    except OSError as e:
        return _unsearchable(path_entry, stamp, dev, Diagnostic("EP203", f"path entry cannot be read ({errno_text(e)})", ""))
    try:
        z = zipfile.ZipFile(root)
    except Exception as e:  # zipfile raises many kinds for a damaged archive
        return _unsearchable(path_entry, stamp, dev, Diagnostic("EP205", f"zip archive cannot be read: {e}", ""))
    with z:
        infos = z.infolist()
        if len(infos) > ZIP_ENTRIES:
            return _unsearchable(path_entry, stamp, dev, Diagnostic("EP216", f"zip archive not searched: the archive has more than {ZIP_ENTRIES} entries", ""))
        cd_bytes = sum(46 + len(i.orig_filename.encode("utf-8" if i.flag_bits & 0x800 else "cp437", "replace")) + len(i.extra) + len(i.comment) for i in infos)
        if cd_bytes > ZIP_CENTRAL_DIRECTORY_BYTES:
            return _unsearchable(path_entry, stamp, dev, Diagnostic("EP216", f"zip archive not searched: the central directory has {cd_bytes} bytes, over the limit of {ZIP_CENTRAL_DIRECTORY_BYTES}", ""))
        tops: Dict[str, bool] = {}
        for info in infos:
            top, slash, _ = info.filename.partition("/")
            if candidate_layout(top, is_egg) is None:
                continue
            tops[top] = tops.get(top, False) or bool(slash)
        archive = _Archive(z)
        records: List[Dist] = []
        diagnostics: List[Diagnostic] = []
        listing = list(tops)
        for child in listing:
            is_dir = tops[child]
            layout0 = candidate_layout(child, is_egg)
            if not is_dir and layout0 != "egg-info":
                diagnostics.append(Diagnostic("EP209", "is a file, not a directory; ignored", child))
                continue
            layout = layout0 if is_dir else "egg-info-file"
            stem = os.path.basename(root)[: -len(".egg")] if layout == "egg" else child[: child.rfind(".")]
            stem_name, version = split_stem(stem)
            first, second = ("METADATA", "PKG-INFO") if layout == "dist-info" else ("PKG-INFO", "METADATA")
            md_info = (archive.member(f"{child}/{first}") or archive.member(f"{child}/{second}")) if is_dir else archive.member(child)
            rdiags: List[Diagnostic] = []
            name = key = stem_name
            md = None
            if md_info is not None:
                md, problem = archive.read(md_info, "metadata")
                if md is None:
                    assert problem is not None
                    rdiags.append(problem)
                else:
                    md_name, md_version, md_diags = read_core_metadata(md[:HEADER_LIMIT], md_info.filename)
                    rdiags.extend(md_diags)
                    name, key, version = apply_metadata_name(layout, key, name, version, md_name, md_version)
            if key == "":
                diagnostics.append(Diagnostic("EP208", "no distribution name in the directory name or the metadata; ignored", child))
                continue
            if name == "":
                name = key
            entries: List[Line] = []
            if is_dir:
                file = child + "/entry_points.txt"
                ep_info = archive.member(file)
                if ep_info is not None:
                    ep, problem = archive.read(ep_info, "entry_points.txt")
                    if ep is None:
                        assert problem is not None
                        rdiags.append(problem)
                    else:
                        entries, diags = read_entry_points(ep, file)
                        rdiags.extend(diags)
                elif file + "/" in z.NameToInfo:
                    rdiags.append(Diagnostic("EP112", "entry_points.txt is a directory, not a regular file; ignored", file))
            other = is_dir and md_info is not None and md_info.filename == f"{child}/PKG-INFO" and f"{child}/METADATA" in z.NameToInfo
            facts = importlib_facts(whole_text(md), rdiags, other)
            if md_info is None:
                rdiags.append(Diagnostic("EP202", "no METADATA or PKG-INFO: a leftover metadata directory", child))
            record = Dist(child, name, normalize_name(key), version, layout, md_info is not None, entries, rdiags)
            record.extra = facts
            records.append(record)
    dists, more = order_dists(records)
    return Scan(path_entry, "zip", dists, diagnostics + more, listing, [ZERO_STAMP] * len(listing) if stamp is not None else [], stamp, dev, archive.inexact)
