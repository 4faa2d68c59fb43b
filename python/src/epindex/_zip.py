"""Zip archives on the search path (``python3X.zip``, zipped eggs, wheels): the same candidates
over the archive's top-level names, in central-directory order (what importlib's
``zip_children`` yields)."""
from __future__ import annotations

import os
import zipfile
from typing import Dict, List, Optional

from ._diagnostics import Diagnostic
from ._discover import Dist, Scan, Stamp, ZERO_STAMP, candidate_layout, entry_is_egg, errno_code, normalize_name, order_dists, split_stem
from ._metadata import HEADER_LIMIT, read_name_version
from ._reader import Line, read_entry_points


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


def scan_zip(path_entry: str, root: str, stamp: Optional[Stamp], dev: int) -> Scan:
    is_egg = entry_is_egg(root)
    try:
        if not _looks_like_zip(root):
            return Scan(path_entry, "unsearchable", [], [], [], [], stamp, dev)
    except OSError as e:
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP203", f"path entry cannot be read ({errno_code(e)})", "")], [], [], stamp, dev)
    try:
        with zipfile.ZipFile(root) as z:
            names = z.namelist()
            tops: Dict[str, bool] = {}
            for n in names:
                top, slash, _ = n.partition("/")
                if candidate_layout(top, is_egg) is None:
                    continue
                tops[top] = tops.get(top, False) or bool(slash)
            files: Dict[str, bytes] = {}
            for n in names:
                top, slash, rest = n.partition("/")
                if top in tops and (rest in ("entry_points.txt", "METADATA", "PKG-INFO") if slash else True) and not n.endswith("/"):
                    files[n] = z.read(n)
    except Exception as e:  # zipfile raises many kinds for a damaged archive
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP205", f"zip archive cannot be read: {e}", "")], [], [], stamp, dev)
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
        order = ("METADATA", "PKG-INFO") if layout == "dist-info" else ("PKG-INFO", "METADATA")
        md_rel = (child + "/" + order[0]) if (child + "/" + order[0]) in files else ((child + "/" + order[1]) if (child + "/" + order[1]) in files else None)
        if not is_dir:
            md_rel = child
        md = files.get(md_rel) if md_rel is not None else None
        rdiags: List[Diagnostic] = []
        name = key = stem_name
        if md is not None:
            # TextDecoder's default, as the TypeScript side: replacement, a leading BOM dropped.
            text = md[:HEADER_LIMIT].decode("utf-8", "replace")
            if text.startswith("\ufeff"):
                text = text[1:]
            md_name, md_version = read_name_version(text)
            if md_name is not None:
                name = md_name
                if layout == "egg" or key == "":
                    key = md_name
            if version is None:
                version = md_version
        if key == "":
            diagnostics.append(Diagnostic("EP208", "no distribution name in the directory name or the metadata; ignored", child))
            continue
        if name == "":
            name = key
        entries: List[Line] = []
        ep = files.get(child + "/entry_points.txt") if is_dir else None
        if ep is not None:
            entries, diags = read_entry_points(ep, child + "/entry_points.txt")
            rdiags.extend(diags)
        if md is None:
            rdiags.append(Diagnostic("EP202", "no METADATA or PKG-INFO: a leftover metadata directory", child))
        records.append(Dist(child, name, normalize_name(key), version, layout, md is not None, entries, rdiags))
    dists, more = order_dists(records)
    return Scan(path_entry, "zip", dists, diagnostics + more, listing, [ZERO_STAMP] * len(listing) if stamp is not None else [], stamp, dev)
