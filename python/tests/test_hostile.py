"""Hostile files (docs/spec.md §4.1.2, §4.1.3, §14): the Python scan's codes for special files,
size limits, METADATA decoding and damaged zip members; nothing blocks, nothing is lost beyond
the file at fault. (test/python/scan-parity.test.ts checks the same states byte for byte
against the TypeScript writer.)"""
from __future__ import annotations

import base64
import os
import zipfile

from support import MD, TempDirTest, write_tree

from epindex import _api
from epindex._cache import read_locations, rebuild
from epindex._discover import FILE_BYTES, scan_path_entry


def codes(scan) -> list:
    return sorted({d.code for _, d in scan.all_diagnostics()})


class Hostile(TempDirTest):
    def site(self, files: dict) -> str:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r, exist_ok=True)
        write_tree(r, {"ok-1.0.dist-info/METADATA": MD("ok", "1.0"), "ok-1.0.dist-info/entry_points.txt": "[g]\nok = ok\n", **files})
        return r

    def test_special_files_are_never_opened_for_reading(self) -> None:
        if not hasattr(os, "mkfifo"):
            self.skipTest("no FIFOs here")
        r = self.site({"fifo-1.0.dist-info/entry_points.txt": "[g]\nf = f\n"})
        os.mkfifo(os.path.join(r, "pipe-1.0.dist-info"))            # EP214: a candidate
        os.mkfifo(os.path.join(r, "fifo-1.0.dist-info", "METADATA"))  # EP210: not metadata (a leftover)
        scan = scan_path_entry(r)
        self.assertEqual(codes(scan), ["EP202", "EP210", "EP214"])
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r], policy="scan")], ["ok", "f"])

    def test_an_entry_points_txt_over_the_limit_is_not_read(self) -> None:
        r = self.site({"big-1.0.dist-info/METADATA": MD("big", "1.0"), "big-1.0.dist-info/entry_points.txt": "[g]\n" + "#" * FILE_BYTES})
        scan = scan_path_entry(r)
        self.assertEqual(codes(scan), ["EP113"])
        d = next(d for _, d in scan.all_diagnostics())
        self.assertEqual((d.severity, d.file), ("error", "big-1.0.dist-info/entry_points.txt"))
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r], policy="scan")], ["ok"])

    def test_metadata_decoding_and_control_characters(self) -> None:
        r = self.site({"bad-1.0.dist-info/METADATA": {"base64": "TmFtZTogYmFk/wpWZXJzaW9uOiAxLjAKCg=="},  # Name: bad\xff
                       "ctl-1.0.dist-info/METADATA": "Name: c\x07tl\nVersion: 1.0\n\n"})
        scan = scan_path_entry(r)
        self.assertEqual(codes(scan), ["EP211", "EP212"])
        self.assertEqual(sorted(d.name for d in scan.dists), ["bad\ufffd", "c\x07tl", "ok"])

    def test_a_damaged_zip_member_costs_that_member_and_the_archive_is_not_cached(self) -> None:
        z = os.path.join(self.tmp, "site.zip")
        with zipfile.ZipFile(z, "w") as f:
            f.writestr("bad-1.0.dist-info/METADATA", MD("bad", "1.0"))
            f.writestr("bad-1.0.dist-info/entry_points.txt", "[g]\nbad = bad.module\n")  # stored
            f.writestr("ok-1.0.dist-info/METADATA", MD("ok", "1.0"))
            f.writestr("ok-1.0.dist-info/entry_points.txt", "[g]\nok = ok\n")
        with open(z, "rb") as f:
            data = bytearray(f.read())
        data[data.index(b"bad.module")] = ord("B")
        with open(z, "wb") as f:
            f.write(bytes(data))
        scan = scan_path_entry(z)
        self.assertEqual(codes(scan), ["EP215"])
        self.assertIsNotNone(scan.inexact)
        self.assertEqual([e.name for e in _api.entry_points("g", path=[z], policy="auto")], ["ok"])
        self.assertNotIn("EP306", {d.code for d in _api._last_diagnostics})
        [result] = rebuild([z])
        self.assertEqual(result["outcome"], "skipped")
        self.assertIn("docs/spec.md §14", result["reason"])
        self.assertFalse(any(os.path.exists(loc.file) for loc in read_locations(z, False)))

    def test_zip_members_over_the_limits(self) -> None:
        z = os.path.join(self.tmp, "site.zip")
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
            f.writestr("huge-1.0.dist-info/METADATA", MD("huge", "1.0") + "x" * FILE_BYTES)
            f.writestr("huge-1.0.dist-info/entry_points.txt", "[g]\nh = h\n" + "#" * FILE_BYTES)
        scan = scan_path_entry(z)
        self.assertEqual(codes(scan), ["EP113", "EP213"])
        self.assertIsNone(scan.inexact)


def _zip_with_lying_member(path: str, name: str, real_size: int, declared: int) -> None:
    """A zip whose ``name`` inflates to ``real_size`` zero bytes while its headers declare
    ``declared`` bytes, with the CRC-32 of the first ``declared`` ones (so that only the size
    lies), next to an honest distribution."""
    import struct
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    parts = []
    left = real_size
    while left > 0:
        parts.append(packer.compress(chunk[: min(left, len(chunk))]))
        left -= min(left, len(chunk))
    parts.append(packer.flush())
    data = b"".join(parts)
    members = [("ok-1.0.dist-info/METADATA", MD("ok", "1.0").encode(), None), ("ok-1.0.dist-info/entry_points.txt", b"[g]\nok = ok\n", None),
               ("bomb-1.0.dist-info/METADATA", MD("bomb", "1.0").encode(), None), (name, data, declared)]
    out = bytearray()
    central = bytearray()
    for n, payload, size in members:
        raw = n.encode()
        if size is None:
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            body = comp.compress(payload) + comp.flush()
            crc, usize = zlib.crc32(payload), len(payload)
        else:
            body, crc, usize = payload, zlib.crc32(b"\0" * size), size
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), usize, len(raw), 0) + raw + body
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), usize, len(raw), 0, 0, 0, 0, 0, offset) + raw
    start = len(out)
    out += central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0)
    with open(path, "wb") as f:
        f.write(bytes(out))


class LyingZipMember(TempDirTest):
    def test_R2_a_member_declaring_100_bytes_that_inflates_to_1_GiB_is_EP215_and_never_inflated_past_the_limit(self) -> None:
        import subprocess
        import sys

        z = os.path.join(self.tmp, "bomb.zip")
        _zip_with_lying_member(z, "bomb-1.0.dist-info/entry_points.txt", 1 << 30, 100)
        # In a child, so that its peak memory is the scan's own.
        code = (
            "import json, resource, sys\n"
            "from epindex._discover import scan_path_entry\n"
            "s = scan_path_entry(sys.argv[1])\n"
            "print(json.dumps({'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
            "  'diags': [[d.code, d.file, d.message] for _, d in s.all_diagnostics()],\n"
            "  'dists': sorted(d.name for d in s.dists)}))\n"
        )
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        r = subprocess.run([sys.executable, "-c", code, z], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        import json
        got = json.loads(r.stdout)
        self.assertEqual([d[:2] for d in got["diags"]], [["EP215", "bomb-1.0.dist-info/entry_points.txt"]])
        self.assertIn("inflates to more than the 100 bytes the central directory says", got["diags"][0][2])
        self.assertEqual(got["dists"], ["bomb", "ok"])
        # zipfile's read() asked zlib for up to 2 GiB at once (2.1 GB RSS); bounded steps hold ~64 KiB.
        self.assertLess(got["peak_kib"], 200 * 1024, f"peak RSS {got['peak_kib']} KiB")
        self.assertEqual([e.name for e in _api.entry_points("g", path=[z], policy="scan")], ["ok"])


class MetadataHead(TempDirTest):
    """A scan for a cache reads METADATA once and cuts its head from the whole bytes
    (``head_of``): the same head, so the same Name, Version and EP211/EP212, as the plain
    scan's bounded read (``read_head``) of the file."""

    def test_the_head_cut_from_the_whole_file_is_the_head_read_from_it(self) -> None:
        import random

        from epindex._discover import FIRST_READ, HEADER_LIMIT, head_of, read_head

        rnd = random.Random(20261204)
        sizes = [0, 10, FIRST_READ - 1, FIRST_READ, FIRST_READ + 1, HEADER_LIMIT - 1, HEADER_LIMIT, HEADER_LIMIT + 1, HEADER_LIMIT + 5000]
        path = os.path.join(self.tmp, "METADATA")
        for i in range(120):
            size = sizes[i % len(sizes)] + rnd.randrange(3)
            lines = []
            if rnd.random() < 0.8:
                lines.append(b"Name: n%d\n" % i)
            filler = b"".join(bytes([rnd.choice(b"abc \xff\xc3\n")]) for _ in range(size))
            at = rnd.randrange(len(filler) + 1)
            version = b"Version: 1.%d\n" % i if rnd.random() < 0.7 else b""
            data = (b"".join(lines) + filler[:at] + version + filler[at:])[: max(size, 1)]
            with open(path, "wb") as f:
                f.write(data)
            for need_version in (False, True):
                with self.subTest(i=i, size=len(data), need_version=need_version):
                    self.assertEqual(head_of(data, need_version), read_head(path, need_version)[0])

    def test_a_scan_with_stamps_and_one_without_read_the_same_names_and_diagnostics(self) -> None:
        big = b"Metadata-Version: 2.1\nName: big\n" + b"X-Filler: " + b"\xff" * 70000 + b"\nVersion: 2.0\n"
        site = os.path.join(self.tmp, "site")
        write_tree(site, {"big.dist-info/METADATA": {"base64": base64.b64encode(big).decode()}, "ok-1.0.dist-info/METADATA": MD("ok", "1.0")})

        def seen(stamps: bool) -> list:
            scan = scan_path_entry(site, stamps=stamps)
            return [sorted((d.name, d.version) for d in scan.dists), sorted((d.code, d.message) for _, d in scan.all_diagnostics())]

        self.assertEqual(seen(True), seen(False))
