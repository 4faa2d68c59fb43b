/**
 * The Python source: one sys.path entry (a directory, an `.egg` directory, or a zip archive)
 * as the cache engine sees it. Scanning rules are discover.ts's; the `importlib` section is
 * importlib.ts's.
 */
import type { Source } from '../cache/source.js';
import { entryIsEgg, listCandidates, scanCandidate, scanPathEntry } from './discover.js';
import { importlibSection } from './importlib.js';

export const pythonSource: Source = {
  id: 'python',
  scan: (dir, request) => scanPathEntry(dir, { stamps: request.stamps, ...(request.progress !== undefined ? { progress: request.progress } : {}) }),
  listing: (dir) => listCandidates(dir, entryIsEgg(dir)).map((c) => c.name),
  rescan: (dir, child) => {
    const r = scanCandidate(dir, child, 'unknown', { stamps: true });
    return r.unit === null ? null : { ...r.unit, winner: true };
  },
  sections: (dir, scan) => (scan.kind === 'directory' ? [['importlib', importlibSection(dir, scan)]] : []),
};
