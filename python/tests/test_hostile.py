"""Hostile files (docs/spec.md §4.1.2, §4.1.3, §14): the Python scan's codes for special files,
size limits, METADATA decoding and damaged zip members; nothing blocks, nothing is lost beyond
the file at fault. (test/python/scan-parity.test.ts checks the same states byte for byte
against the TypeScript writer.)"""
from __future__ import annotations

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
