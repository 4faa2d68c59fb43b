/**
 * Fixture trees in temp dirs, the shape importlib_metadata's tests/fixtures.py uses: a nested
 * object where a string is a file's text, a Uint8Array its bytes, an object a directory, and
 * `{ symlink: target }` a symbolic link.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { fsPath } from '../../src/fsnames.js';

export type Tree = { [name: string]: string | Uint8Array | Tree | { symlink: string } };

const isLink = (v: unknown): v is { symlink: string } => typeof v === 'object' && v !== null && 'symlink' in v && typeof (v as { symlink: unknown }).symlink === 'string';

/** Write `tree` under `root` (created if needed). Names may hold os.fsdecode's surrogate escapes (bytes that are not UTF-8). */
export function writeTree(root: string, tree: Tree): string {
  fs.mkdirSync(fsPath(root), { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    const p = path.join(root, name);
    if (typeof v === 'string' || v instanceof Uint8Array) {
      fs.mkdirSync(fsPath(path.dirname(p)), { recursive: true });
      fs.writeFileSync(fsPath(p), v);
    } else if (isLink(v)) {
      fs.symlinkSync(v.symlink, fsPath(p));
    } else {
      writeTree(p, v);
    }
  }
  return root;
}

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed when the test file finishes. */
export function tempDir(prefix = 'epindex-test-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(d);
  return d;
}

/** A `*.dist-info` directory tree with METADATA (unless `metadata: false`) and optional entry_points.txt. */
export function distInfo(name: string, version: string, entryPoints?: string | Uint8Array, opts: { metadata?: boolean } = {}): Tree {
  const t: Tree = {};
  if (opts.metadata !== false) t['METADATA'] = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
  if (entryPoints !== undefined) t['entry_points.txt'] = entryPoints;
  return { [`${name}-${version}.dist-info`]: t };
}
