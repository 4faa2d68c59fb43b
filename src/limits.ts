/**
 * The size limits of discovery (docs/spec.md §10, with the reasoning). Anything over a limit is
 * refused with a diagnostic before it is read or allocated; the rest of the search path is
 * unaffected.
 */
export const LIMITS = {
  /**
   * One small file read whole: entry_points.txt, METADATA / PKG-INFO, a `.pth` file, and a zip
   * member (decompressed). 16 MiB: 250× the largest entry_points.txt and 150× the largest
   * METADATA measured in a 50,000-distribution profile (66,931 and 109,397 bytes), and 1/32 of
   * the longest string V8 can make.
   */
  fileBytes: 16 * 1024 * 1024,
  /** Decompressed bytes read from one zip archive, all members together: four files at the limit. */
  zipTotalBytes: 64 * 1024 * 1024,
  /** Central-directory entries of one zip archive (a python3X.zip holds ~3,000; the largest wheels tens of thousands). */
  zipEntries: 250_000,
  /** Central-directory size of one zip archive (≥ 134 bytes per entry at the entry limit). */
  zipCentralDirectoryBytes: 32 * 1024 * 1024,
} as const;
