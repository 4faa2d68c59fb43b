/**
 * `epi lint --python P`: a whole environment. Every distribution's entry_points.txt gets the
 * file rules; then what only the environment shows: one name claimed by several
 * distributions, shadowed distributions, leftovers, and entry points whose module file is on
 * no search-path entry (a static check; `epi check` imports).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Distribution } from '../entry-point.js';
import { parseObjectReference } from '../entry-point.js';
import type { PythonEnvironment } from '../environment.js';
import { readSmallFile } from '../fsutil.js';
import { finding, fromDiagnostic, type Finding } from './findings.js';
import { lintEntryPointsTxt } from './rules/entry-points-txt.js';
import { openArchive } from './archive.js';

const MAPPED = { EP201: 'EP652', EP206: 'EP651', EP202: 'EP653' } as const;

export async function lintEnvironment(env: PythonEnvironment): Promise<Finding[]> {
  const out: Finding[] = [];
  const report = await env.distributions();
  const txtFiles = new Set<string>();
  const lineOf = new Map<string, number>();
  const dists: Distribution[] = [...report.distributions, ...report.shadowed.map((s) => s.distribution)];
  for (const d of dists) {
    if (d.layout === 'egg-info-file') continue;
    const file = path.join(d.metadataPath, 'entry_points.txt');
    // Absent, inside a zip, not a regular file, too large: the reader's own diagnostics say
    // what there is to say (EP112, EP113).
    const read = readSmallFile(file);
    if (!read.ok) continue;
    const bytes = read.bytes;
    txtFiles.add(file);
    const lint = lintEntryPointsTxt(bytes, file);
    out.push(...lint.findings);
    for (const e of lint.entries) if (!lineOf.has(`${file}\0${e.group}\0${e.name}`)) lineOf.set(`${file}\0${e.group}\0${e.name}`, e.line);
  }
  for (const d of report.diagnostics) {
    if (d.code in MAPPED) {
      out.push(finding(MAPPED[d.code as keyof typeof MAPPED], d.message, { file: d.file, line: d.line }));
      continue;
    }
    // Content diagnostics of files linted above are superseded by the file rules; cache state is not a lint matter.
    if (d.code.startsWith('EP1') && d.file !== undefined && txtFiles.has(d.file)) continue;
    if (d.code.startsWith('EP3')) continue;
    out.push(fromDiagnostic(d));
  }

  const epFile = (d: Distribution | null): string | undefined => (d === null ? undefined : path.join(d.metadataPath, 'entry_points.txt'));
  for (const c of await env.conflicts()) {
    const first = c.providers[0]!;
    const file = epFile(first.dist);
    const others = c.providers.map((e) => `${e.dist?.name ?? '?'} ${e.dist?.version ?? ''}`.trim());
    out.push(finding('EP650', `[${c.group}] ${JSON.stringify(c.name)} is provided by ${others.join(', ')}; ${c.group === 'console_scripts' || c.group === 'gui_scripts' ? 'the script installed last overwrote the others' : 'lookups by name get the first'}`, { file, line: file === undefined ? undefined : lineOf.get(`${file}\0${c.group}\0${c.name}`) }));
  }

  const finder = new ModuleFinder(env.searchPath);
  for (const e of await env.entryPoints()) {
    const ref = parseObjectReference(e.value);
    if (!ref.ok) continue;
    if (finder.found(ref.module)) continue;
    const file = epFile(e.dist);
    out.push(finding('EP654', `module ${JSON.stringify(ref.module)} of ${JSON.stringify(e.name)} in [${e.group}] is not on the search path`, { file, line: file === undefined ? undefined : lineOf.get(`${file}\0${e.group}\0${e.name}`) }));
  }
  return out;
}

/**
 * Where Python's path-based finder would look for a module: per search-path entry, a package
 * directory (regular or namespace), a source, bytecode or extension module file; zip entries by
 * their member names; setuptools' editable finders by their MAPPING of top-level names.
 */
class ModuleFinder {
  readonly #roots: readonly string[];
  readonly #zips = new Map<string, Set<string>>();
  readonly #editable = new Map<string, string[]>();
  readonly #memo = new Map<string, boolean>();
  readonly #listings = new Map<string, Set<string> | null>();

  constructor(searchPath: readonly string[]) {
    const roots: string[] = [];
    for (const p of searchPath) {
      const dir = p === '' ? '.' : p;
      let st: fs.Stats;
      try {
        st = fs.statSync(dir);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        roots.push(dir);
        this.#readEditableFinders(dir);
      } else if (st.isFile()) {
        try {
          const a = openArchive(dir);
          this.#zips.set(dir, new Set(a.names));
          a.close();
        } catch {
          // not a zip: importlib does not search it either
        }
      }
    }
    this.#roots = roots;
  }

  #readEditableFinders(dir: string): void {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => /^__editable__.*_finder\.py$/.test(n));
    } catch {
      return;
    }
    for (const n of names) {
      const read = readSmallFile(path.join(dir, n));
      if (!read.ok) continue;
      const text = read.bytes.toString('utf8');
      const m = /^MAPPING\s*(?::[^=\n]*)?=\s*(\{[^}]*\})/m.exec(text);
      if (!m) continue;
      for (const pair of m[1]!.matchAll(/(['"])([^'"]+)\1\s*:\s*(['"])([^'"]+)\3/g)) {
        const list = this.#editable.get(pair[2]!) ?? [];
        list.push(pair[4]!);
        this.#editable.set(pair[2]!, list);
      }
    }
  }

  /** `name` in `dir`: a package directory, a module file (`name.py`, `name.cpython-312-x86_64-linux-gnu.so`…), or nothing. */
  #moduleAt(dir: string, name: string): 'file' | 'dir' | null {
    let children = this.#listings.get(dir);
    if (children === undefined) {
      try {
        children = new Set(fs.readdirSync(dir));
      } catch {
        children = null;
      }
      this.#listings.set(dir, children);
    }
    if (children === null) return null;
    if (children.has(name) && isDir(path.join(dir, name))) return 'dir';
    if (children.has(`${name}.py`) || children.has(`${name}.pyc`) || children.has(`${name}.pyw`)) return 'file';
    for (const c of children) if (c.startsWith(name + '.') && /\.(?:so|pyd)$/.test(c)) return 'file';
    return null;
  }

  found(module: string): boolean {
    let r = this.#memo.get(module);
    if (r === undefined) this.#memo.set(module, (r = this.#find(module)));
    return r;
  }

  #find(module: string): boolean {
    const parts = module.split('.');
    const top = parts[0]!;
    // Directories that may hold the next part; a module file before the last part ends the static check.
    let dirs: string[] = [];
    for (const root of this.#roots) {
      const kind = this.#moduleAt(root, top);
      if (kind === 'file') {
        if (parts.length === 1) return true;
        return true; // a module with submodules set up at run time: cannot tell statically
      }
      if (kind === 'dir') dirs.push(path.join(root, top));
    }
    for (const p of this.#editable.get(top) ?? []) if (isDir(p)) dirs.push(p);
    for (const names of this.#zips.values()) if (zipHas(names, parts)) return true;
    if (dirs.length === 0) return false;
    for (const part of parts.slice(1)) {
      const next: string[] = [];
      for (const d of dirs) {
        const kind = this.#moduleAt(d, part);
        if (kind === 'file') return true;
        if (kind === 'dir') next.push(path.join(d, part));
      }
      if (next.length === 0) return false;
      dirs = next;
    }
    return true;
  }
}

const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;

function zipHas(names: ReadonlySet<string>, parts: readonly string[]): boolean {
  const prefix = parts.join('/');
  for (const n of names) {
    if (n.startsWith(prefix + '/') || n === `${prefix}.py` || n === `${prefix}.pyc` || n.startsWith(`${parts.slice(0, 1).join('/')}.`)) return true;
  }
  return false;
}
