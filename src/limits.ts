/**
 * The size limits of discovery (docs/spec.md §10, with the reasoning). Anything over a limit is
 * refused with a diagnostic before it is read or allocated; the rest of the search path is
 * unaffected.
 */
export const LIMITS = {
  /**
   * One small file read whole: entry_points.txt, a `.pth` file, and a zip member (decompressed).
   * 4 MiB: 60× the largest entry_points.txt and 38× the largest METADATA measured in a
   * 50,000-distribution profile (66,931 and 109,397 bytes). A file at the limit full of entry
   * points (~69,000 of them) parsed in 0.46–0.75 s and ~100 MB of RSS here; 16 MiB took 1.2–1.7 s and 270 MB.
   */
  fileBytes: 4 * 1024 * 1024,
  /** Decompressed bytes read from one zip archive, all members together (a zipped environment of ~10,000 distributions). */
  zipTotalBytes: 64 * 1024 * 1024,
  /** Central-directory entries of one zip archive (a python3X.zip holds ~3,000; the largest wheels tens of thousands). */
  zipEntries: 250_000,
  /** Central-directory size of one zip archive (≥ 134 bytes per entry at the entry limit). */
  zipCentralDirectoryBytes: 32 * 1024 * 1024,
  /** One section of a cache file (docs/spec.md §5.2): 25× the largest section of a 50,000-distribution cache. */
  cacheSectionBytes: 128 * 1024 * 1024,
  /**
   * Nesting of arrays and objects (tables) in one JSON or TOML document read from the user:
   * package.json, pyproject.toml. Real files nest under 20 levels; 512 keeps recursive readers
   * (jsonc-parser: two stack frames a level) far from V8's stack limit, and matches the order of
   * CPython's json (whose recursion limit is 1000 frames).
   */
  nestingDepth: 512,
} as const;
