/**
 * The thread that `buildCaches` scans and writes in, so that the caller's event loop is never
 * blocked by a scan (a 10,000-distribution directory takes about a second). One request per
 * path entry; the answer is the BuildResult, or the error, as plain data.
 */
import { parentPort } from 'node:worker_threads';
import type { Source } from './source.js';
import { buildCacheSync, type BuildOptions } from './store.js';

export interface BuildRequest {
  readonly id: number;
  readonly pathEntry: string;
  readonly source: string;
  readonly opts: Omit<BuildOptions, 'onProgress' | 'inDirectory' | 'onScan'> & { readonly inDirectory: boolean };
  readonly force: boolean;
  /** Report the scan's progress (`{id, scanned: [done, total]}`), at most every 50 ms and at its end. */
  readonly progress?: boolean;
}

async function sourceOf(id: string): Promise<Source> {
  if (id === 'python') return (await import('../python/source.js')).pythonSource;
  if (id === 'node') return (await import('../node/cache-source.js')).nodeSource;
  throw new Error(`unknown source ${id}`);
}

parentPort?.on('message', (m: BuildRequest) => {
  void sourceOf(m.source).then(
    (source) => {
      try {
        let last = 0;
        const onScan = (done: number, total: number): void => {
          const now = Date.now();
          if (done < total && now - last < 50) return;
          last = now;
          parentPort!.postMessage({ id: m.id, scanned: [done, total] });
        };
        parentPort!.postMessage({ id: m.id, result: buildCacheSync(m.pathEntry, source, { ...m.opts, force: m.force, ...(m.progress === true ? { onScan } : {}) }) });
      } catch (e) {
        const err = e as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
        parentPort!.postMessage({ id: m.id, error: { name: String(err.name ?? 'Error'), message: String(err.message ?? e), code: err.code, stack: err.stack } });
      }
    },
    (e: unknown) => parentPort!.postMessage({ id: m.id, error: { name: 'Error', message: String(e) } }),
  );
});
