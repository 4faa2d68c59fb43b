import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BuildDeclaration } from '../../build/declaration.js';
import { readPyproject } from '../../build/pyproject.js';
import { readSetupCfg } from '../../build/setup-cfg.js';
import { EpindexError } from '../../errors.js';
import { fileKind } from '../../fsutil.js';
import { renderEntryPointsTxt } from '../../format/entry-points-txt.js';
import { pyStrip } from '../../python/text.js';
import { countFindings, renderText } from '../../lint/report.js';
import { EntryPoint } from '../../entry-point.js';
import { colors, printJson } from '../output.js';
import { summaryLine, toolVersion } from './lint.js';
import { out, err } from '../stdio.js';

export interface WriteFlags {
  out?: string;
  json?: boolean;
}

/** The project file to read: the one given, or in a directory pyproject.toml with a [project] table, else setup.cfg. */
function declarationOf(target: string): BuildDeclaration {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st === undefined) throw new EpindexError('INVALID_ARGUMENT', `${target}: no such file or directory`);
  if (st.isFile()) {
    const base = path.basename(target);
    if (base === 'setup.cfg') return readSetupCfg(target);
    if (base.endsWith('.toml')) return readPyproject(target);
    throw new EpindexError('INVALID_ARGUMENT', `${target}: epi write reads pyproject.toml or setup.cfg`);
  }
  if (!st.isDirectory()) throw new EpindexError('INVALID_ARGUMENT', `${target}: ${fileKind(st)}, not a regular file or a directory; not read`);
  const pyproject = path.join(target, 'pyproject.toml');
  const setupCfg = path.join(target, 'setup.cfg');
  const hasPyproject = fs.existsSync(pyproject);
  if (hasPyproject) {
    const d = readPyproject(pyproject);
    if (!(d.findings.some((f) => f.code === 'EP665') && fs.existsSync(setupCfg))) return d;
  }
  if (fs.existsSync(setupCfg)) return readSetupCfg(setupCfg);
  if (hasPyproject) return readPyproject(pyproject);
  throw new EpindexError('INVALID_ARGUMENT', `${target}: no pyproject.toml or setup.cfg`);
}

type WriteFileAtomic = typeof import('write-file-atomic');

/** Render canonical entry_points.txt from pyproject.toml or setup.cfg; exit 1 when the declaration has errors or is dynamic. */
export async function write(target: string | undefined, flags: WriteFlags): Promise<number> {
  const decl = declarationOf(target ?? '.');
  const errors = decl.findings.filter((f) => f.severity === 'error');
  const refuse = errors.length > 0 || decl.dynamic.length > 0;
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
    printJson({ file: decl.file, entryPoints, dynamic: decl.dynamic, text, out: outFile, action, findings: decl.findings, counts: countFindings(decl.findings), version: toolVersion() });
  } else {
    if (text !== null && outFile === null) out(text);
    if (decl.findings.length > 0) {
      err(renderText(decl.findings, { toolVersion: toolVersion(), style: colors }));
      err(summaryLine(decl.findings) + '\n');
    }
    if (decl.dynamic.length > 0 && errors.length === 0) {
      err(`epi: nothing written: ${decl.dynamic.map((d) => `"${d}"`).join(', ')} ${decl.dynamic.length === 1 ? 'is' : 'are'} in project.dynamic, so the build backend computes ${decl.dynamic.length === 1 ? 'it' : 'them'} at build time; build the wheel and run \`epi list --wheel\` on it\n`);
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
