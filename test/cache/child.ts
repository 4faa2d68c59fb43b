/**
 * Child-process driver for the cache fault tests (concurrency, SIGKILL mid-write, privilege
 * drop). Run as `node child.js <mode> <json-args>`; prints one JSON line on stdout.
 * Without arguments (node --test runs every file under test/) it does nothing.
 */
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';

interface Args {
  dir: string;
  userCacheDir: string;
  /** Barrier: write `<readyDir>/<pid>` and wait for `go` to exist. */
  readyDir?: string;
  go?: string;
  iterations?: number;
  policy?: 'scan' | 'only' | 'prefer' | 'auto' | 'trust';
}

const sleepMs = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function barrier(a: Args): void {
  if (a.readyDir === undefined || a.go === undefined) return;
  fs.writeFileSync(path.join(a.readyDir, String(process.pid)), '');
  while (!fs.existsSync(a.go)) sleepMs(1);
}

const fsMut = createRequire(import.meta.url)('node:fs') as typeof fs;

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  for (;;) sleepMs(1000);
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  if (mode === undefined || json === undefined) return;
  const a = JSON.parse(json) as Args;
  const opts = { userCacheDir: a.userCacheDir };

  if (mode === 'kill-mid-write') {
    // Write half of the cache into the temporary file, then die (SIGKILL cannot be caught).
    const orig = fsMut.writeSync;
    fsMut.writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
      const half = Math.max(1, Math.floor(len / 2));
      (orig as (fd: number, b: Uint8Array, o: number, l: number) => number)(fd, buf, off, half);
      fsMut.fsyncSync(fd);
      die();
    }) as unknown as typeof fs.writeSync;
    syncBuiltinESMExports();
  } else if (mode === 'kill-before-rename') {
    // The complete temporary file is written and synced; die instead of renaming it.
    fsMut.renameSync = (() => die()) as typeof fs.renameSync;
    syncBuiltinESMExports();
  }

  const driver = await import('./driver.js');
  const { inDirectoryLocation } = await import('../../src/cache/location.js');

  switch (mode) {
    case 'kill-mid-write':
    case 'kill-before-rename': {
      driver.buildCache(a.dir, { ...opts, force: true });
      process.stdout.write(JSON.stringify({ survived: true }) + '\n');
      return;
    }
    case 'build-loop': {
      barrier(a);
      const outcomes: string[] = [];
      for (let i = 0; i < (a.iterations ?? 1); i++) outcomes.push(driver.buildCache(a.dir, { ...opts, force: true }).outcome);
      process.stdout.write(JSON.stringify({ outcomes }) + '\n');
      return;
    }
    case 'build-forever': {
      process.stdout.write('started\n');
      for (;;) driver.buildCache(a.dir, { ...opts, force: true });
    }
    case 'read-loop': {
      barrier(a);
      const file = inDirectoryLocation(a.dir).file;
      const results: Array<{ source: string; codes: string[]; dists: unknown; raw: string }> = [];
      for (let i = 0; i < (a.iterations ?? 1); i++) {
        const load = driver.loadPathEntry(a.dir, a.policy ?? 'prefer', opts);
        // The raw file, read as any other reader would: missing, or a complete valid cache.
        let raw: string;
        try {
          raw = driver.cacheProblem(fs.readFileSync(file)) ?? 'ok';
        } catch (e) {
          raw = (e as NodeJS.ErrnoException).code ?? 'error';
        }
        results.push({ source: load.source, codes: load.diagnostics.map((d) => d.code), dists: driver.view(load.view), raw });
      }
      process.stdout.write(JSON.stringify({ results }) + '\n');
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

await main();
