import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BuildDeclaration } from '../../build/declaration.js';
import { readPyproject } from '../../build/pyproject.js';
import { readProject } from '../../build/project.js';
import { readSetupCfg } from '../../build/setup-cfg.js';
import { readSetupPy, setupPyInterpreter } from '../../build/setup-py.js';
import { EpindexError } from '../../errors.js';
import { fileKind } from '../../fsutil.js';
import { renderEntryPointsTxt } from '../../format/entry-points-txt.js';
import { pyStrip } from '../../python/text.js';
import { countFindings, renderText } from '../../lint/report.js';
import { EntryPoint } from '../../entry-point.js';
import { errColors, printJson } from '../output.js';
import { summaryLine, toolVersion } from './lint.js';
import { out, err } from '../stdio.js';

export interface WriteFlags {
  out?: string;
  json?: boolean;
  python?: string;
}

/**
 * The project file to read: the one given, or for a directory what setuptools would use of its
 * pyproject.toml, setup.cfg and setup.py (src/build/project.ts).
 */
async function declarationOf(target: string, flags: WriteFlags): Promise<BuildDeclaration> {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st === undefined) throw new EpindexError('INVALID_ARGUMENT', `${target}: no such file or directory`);
  if (st.isFile()) {
    const base = path.basename(target);
    if (base === 'setup.cfg') return readSetupCfg(target);
    if (base.endsWith('.toml')) return readPyproject(target);
    if (base.endsWith('.py')) return readSetupPy(target, { python: setupPyInterpreter(flags.python)() });
    throw new EpindexError('INVALID_ARGUMENT', `${target}: epi write reads pyproject.toml, setup.cfg or setup.py`);
  }
  if (!st.isDirectory()) throw new EpindexError('INVALID_ARGUMENT', `${target}: ${fileKind(st)}, not a regular file or a directory; not read`);
  const d = await readProject(target, { python: setupPyInterpreter(flags.python) });
  if (d === null) throw new EpindexError('INVALID_ARGUMENT', `${target}: no pyproject.toml, setup.cfg or setup.py`);
  return d;
}

type WriteFileAtomic = typeof import('write-file-atomic');

/**
 * Render canonical entry_points.txt from pyproject.toml, setup.cfg or setup.py; exit 1 when a
 * project file has errors, or the entry points are dynamic or computed by setup.py.
 */
export async function write(target: string | undefined, flags: WriteFlags): Promise<number> {
  const decl = await declarationOf(target ?? '.', flags);
  const errors = decl.findings.filter((f) => f.severity === 'error');
  const undecided = decl.undecided === true;
  const refuse = errors.length > 0 || decl.dynamic.length > 0 || undecided;
  const entries = decl.entries.map((e) => ({ group: e.group, name: pyStrip(e.name), value: pyStrip(e.value) }));
  let text: string | null = null;
  if (!refuse) text = renderEntryPointsTxt(entries);
  const outFile = flags.out !== undefined ? path.join(flags.out, 'entry_points.txt') : null;
  let action: 'written' | 'removed' | 'none' = 'none';
  if (text !== null && outFile !== null) {
    if (text === '') {
      // What setuptools does: no entry points, no entry_points.txt.
      if (fs.existsSync(outFile)) {
        fs.rmSync(outFile);
        action = 'removed';
      }
    } else {
      fs.mkdirSync(flags.out!, { recursive: true });
      (createRequire(import.meta.url)('write-file-atomic') as WriteFileAtomic).sync(outFile, text, { encoding: 'utf8', mode: 0o644 });
      action = 'written';
    }
  }
  if (flags.json) {
    // Entry points in the shape of every other output (schema/cli/definitions.schema.json entryPoint), not yet of a distribution.
    const entryPoints = entries.map((e) => new EntryPoint(e.group, e.name, e.value).toJSON());
    printJson({ file: decl.file, entryPoints, dynamic: decl.dynamic, undecided, text, out: outFile, action, findings: decl.findings, counts: countFindings(decl.findings), version: toolVersion() });
  } else {
    if (text !== null && outFile === null) out(text);
    if (decl.findings.length > 0) {
      err(renderText(decl.findings, { toolVersion: toolVersion(), style: errColors }));
      err(summaryLine(decl.findings) + '\n');
    }
    if (decl.dynamic.length > 0 && errors.length === 0) {
      err(`epi: nothing written: ${decl.dynamic.map((d) => `"${d}"`).join(', ')} ${decl.dynamic.length === 1 ? 'is' : 'are'} in project.dynamic, so the build backend computes ${decl.dynamic.length === 1 ? 'it' : 'them'} at build time; build the wheel and run \`epi list --wheel\` on it\n`);
    } else if (undecided && errors.length === 0) {
      err(`epi: nothing written: the entry points cannot be known without running setup.py (see above)\n`);
    } else if (refuse) {
      err('epi: nothing written: fix the errors above first\n');
    } else if (text === '') {
      err(`epi: ${decl.file} declares no entry points${action === 'removed' ? `; removed ${outFile}` : ''}\n`);
    } else if (outFile !== null) {
      err(`epi: wrote ${outFile}\n`);
    }
  }
  return refuse ? 1 : 0;
}
