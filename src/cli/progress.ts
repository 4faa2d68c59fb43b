/**
 * Progress of cache builds on a terminal, driven by the library's `onProgress` callbacks
 * (`buildCaches` is asynchronous: it yields between path entries and waits out the racy window
 * with a timer, so the bar redraws as it goes). Nothing is shown unless stderr is a terminal.
 */
import { createRequire } from 'node:module';
import { esc } from './output.js';
import { isTerminal } from './stdio.js';

export interface BuildProgress {
  /** Path entry `index` (0-based) is being built. */
  entry(index: number, pathEntry: string): void;
  /** About to wait out the racy window for `count` caches, for about `ms` milliseconds. */
  waiting(count: number, ms: number): void;
  stop(): void;
}

const NONE: BuildProgress = { entry: () => {}, waiting: () => {}, stop: () => {} };

export function buildProgress(total: number, enabled: boolean): BuildProgress {
  if (!enabled || !isTerminal(2)) return NONE;
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: 'caches {bar} {value}/{total} {entry}', hideCursor: true, clearOnComplete: true, forceRedraw: true, fps: 10 }, Presets.shades_classic);
  const width = (): number => Math.max(20, (process.stderr.columns ?? 80) - 55);
  const label = (s: string): string => {
    const e = esc(s);
    return e.length > width() ? '…' + e.slice(e.length - width() + 1) : e;
  };
  bar.start(total, 0, { entry: '' });
  bar.render();
  return {
    entry(index, pathEntry) {
      bar.update(index, { entry: label(pathEntry) });
      bar.render();
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
