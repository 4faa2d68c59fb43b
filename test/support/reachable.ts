/**
 * A copy of the built package that every user can reach, for tests that run a child as another
 * user (uid 65534). The checkout may sit inside a mode-0700 directory (`mktemp -d`, a home
 * directory), where that user cannot even open `dist/epi.cjs`; the copy lives in a fresh
 * directory under os.tmpdir() with mode 0755, holding `dist/` and the runtime dependencies the
 * CLI loads lazily (`createRequire` at run time finds them beside it). Made once per process,
 * removed when the test file finishes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

/** The checkout's root (tests run from dist/test/support). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let made: string | null = null;
after(() => {
  if (made !== null) fs.rmSync(made, { recursive: true, force: true });
});

/** Every package the runtime dependencies need, by name (the closure over `dependencies`). */
function runtimePackages(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      if (seen.has(name)) continue;
      seen.add(name);
      visit(path.join(ROOT, 'node_modules', name));
    }
  };
  visit(ROOT);
  return [...seen];
}

function chmodTree(p: string): void {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return;
  fs.chmodSync(p, st.isDirectory() || (st.mode & 0o111) !== 0 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const n of fs.readdirSync(p)) chmodTree(path.join(p, n));
}

/** The root of the reachable copy: `<root>/dist/epi.cjs`, `<root>/dist/src/...`, `<root>/node_modules/...`. */
export function reachableCopy(): string {
  if (made !== null) return made;
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'epindex-reachable-')));
  made = root;
  fs.mkdirSync(path.join(root, 'dist'));
  for (const f of ['epi.cjs', 'epi-main.cjs', 'code-cache.cjs', 'lib.cjs', 'index.js', 'build-worker.js']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(root, 'dist', f));
  fs.cpSync(path.join(ROOT, 'dist', 'cmd'), path.join(root, 'dist', 'cmd'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist', 'src'), path.join(root, 'dist', 'src'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  for (const name of runtimePackages()) fs.cpSync(path.join(ROOT, 'node_modules', name), path.join(root, 'node_modules', name), { recursive: true, dereference: true });
  chmodTree(root);
  return root;
}

/** The CLI in the reachable copy. */
export const reachableCli = (): string => path.join(reachableCopy(), 'dist', 'epi.cjs');

/** A module of dist/src in the reachable copy, as a file URL (`python/discover.js`). */
export const reachableModule = (relative: string): string => new URL(`file://${path.join(reachableCopy(), 'dist', 'src', relative)}`).href;
