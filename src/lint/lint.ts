/** `epi lint PATH...`: each path to its file kind, or a project directory to its project files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProject } from '../build/project.js';
import { EpindexError } from '../errors.js';
import type { Finding } from './findings.js';
import { DEFAULT_CONTEXT, kindOf, PACKAGE_JSON, PROJECT_FILES, type LintContext } from './kinds.js';

/** What `lintPaths` could not lint at all (missing paths, unknown kinds): usage errors, not findings. */
export class LintInputError extends EpindexError {}

export async function lintPaths(paths: readonly string[], context: LintContext = DEFAULT_CONTEXT): Promise<Finding[]> {
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
      out.push(...(await kind.lint(p, context)));
      continue;
    }
    if (st.isDirectory()) {
      // pyproject.toml, setup.cfg and setup.py together, with the findings of their precedence.
      const project = await readProject(p, { python: context.python });
      if (project !== null) out.push(...project.findings);
      const pkg = path.join(p, 'package.json');
      const pst = fs.statSync(pkg, { throwIfNoEntry: false });
      const hasPkg = pst !== undefined && PACKAGE_JSON.matches(pkg, pst);
      if (hasPkg) out.push(...(await PACKAGE_JSON.lint(pkg, context)));
      if (project === null && !hasPkg) throw new LintInputError('INVALID_ARGUMENT', `${p}: no ${PROJECT_FILES.join(', ').replace(/, ([^,]*)$/, ' or $1')} here, and not a .dist-info or .egg-info directory`);
      continue;
    }
    throw new LintInputError('INVALID_ARGUMENT', `${p}: not a file epi lint knows (entry_points.txt, *.dist-info, *.egg-info, *.whl, pyproject.toml, setup.cfg, setup.py, package.json)`);
  }
  return out;
}
