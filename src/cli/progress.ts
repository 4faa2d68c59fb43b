/**
 * Progress of cache builds on a terminal, driven by the library's `onProgress` callbacks
 * (`buildCaches` is asynchronous: it builds in a worker thread, reports each path entry and
 * how far its scan has read, and waits out the racy window with a timer, so the bar redraws
 * as it goes). Nothing is shown unless stderr is a terminal.
 *
 * The bar counts distributions (the candidates each directory lists), not path entries: a
 * site-packages of 10,000 distributions moves as it is read instead of sitting at 0/1.
 */
import { createRequire } from 'node:module';
import { pythonSource } from '../python/source.js';
import { esc } from './output.js';
import { isTerminal } from './stdio.js';

export interface BuildProgress {
  /** Path entry `index` (0-based) is being built. */
  entry(index: number, pathEntry: string): void;
  /** Path entry `index`'s scan has read `done` of its `total` candidates. */
  scanned(index: number, done: number, total: number): void;
  /** About to wait out the racy window for `count` caches, for about `ms` milliseconds. */
  waiting(count: number, ms: number): void;
  stop(): void;
}

const NONE: BuildProgress = { entry: () => {}, scanned: () => {}, waiting: () => {}, stop: () => {} };

/** How many distributions a path entry lists (its candidates; a zip or anything unlistable: 0). */
function listed(pathEntry: string): number {
  try {
    return pythonSource.listing(pathEntry === '' ? '.' : pathEntry).length;
  } catch {
    return 0;
  }
}

export function buildProgress(entries: readonly string[], enabled: boolean): BuildProgress {
  if (!enabled || !isTerminal(2)) return NONE;
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  // Listing is the cheap part of a scan (one readdir per directory); the bar needs the total first.
  const counts = entries.map(listed);
  const before = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
  const total = Math.max(1, before.at(-1)! + counts.at(-1)!);
  const bar = new SingleBar({ stream: process.stderr, format: 'caches {bar} {value}/{total} distributions {entry}', hideCursor: true, clearOnComplete: true, forceRedraw: true, fps: 10 }, Presets.shades_classic);
  const width = (): number => Math.max(20, (process.stderr.columns ?? 80) - 65);
  const label = (s: string): string => {
    const e = esc(s);
    return e.length > width() ? '…' + e.slice(e.length - width() + 1) : e;
  };
  bar.start(total, 0, { entry: '' });
  bar.render();
  return {
    entry(index, pathEntry) {
      bar.update(Math.min(total, before[index] ?? 0), { entry: label(pathEntry) });
      bar.render();
    },
    scanned(index, done, listedNow) {
      // The directory may have changed since it was counted: never past its own share.
      const share = counts[index] ?? 0;
      bar.update(Math.min(total, (before[index] ?? 0) + Math.min(share, listedNow === share ? done : Math.floor((done * share) / Math.max(1, listedNow)))));
    },
    waiting(count, ms) {
      bar.update(total, { entry: `waiting ${(ms / 1000).toFixed(1)} s for the racy window to pass (${count} cache${count === 1 ? '' : 's'} written just after a change)` });
      bar.render();
    },
    stop() {
      bar.update(total, { entry: '' });
      bar.stop();
    },
  };
}
