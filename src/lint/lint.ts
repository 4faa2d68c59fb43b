/** `epi lint PATH...`: each path to its file kind, or a project directory to its project files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EpindexError } from '../errors.js';
import type { Finding } from './findings.js';
import { kindOf, PROJECT_FILES } from './kinds.js';

/** What `lintPaths` could not lint at all (missing paths, unknown kinds): usage errors, not findings. */
export class LintInputError extends EpindexError {}

export function lintPaths(paths: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      throw new LintInputError('INVALID_ARGUMENT', `${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : `cannot be read (${(e as NodeJS.ErrnoException).code})`}`);
    }
    const kind = kindOf(p, st);
    if (kind !== undefined) {
      out.push(...kind.lint(p));
      continue;
    }
    if (st.isDirectory()) {
      let any = false;
      for (const name of PROJECT_FILES) {
        const f = path.join(p, name);
        const fst = fs.statSync(f, { throwIfNoEntry: false });
        if (fst === undefined) continue;
        const k = kindOf(f, fst);
        if (k === undefined) continue;
        any = true;
        out.push(...k.lint(f));
      }
      if (!any) throw new LintInputError('INVALID_ARGUMENT', `${p}: no pyproject.toml, setup.cfg or package.json here, and not a .dist-info or .egg-info directory`);
      continue;
    }
    throw new LintInputError('INVALID_ARGUMENT', `${p}: not a file epi lint knows (entry_points.txt, *.dist-info, *.egg-info, *.whl, pyproject.toml, setup.cfg, package.json)`);
  }
  return out;
}
