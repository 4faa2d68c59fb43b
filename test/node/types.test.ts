/**
 * The public npm API as a strict TypeScript host sees it: a consumer compiled against
 * dist/src/index.d.ts with `strict`, `exactOptionalPropertyTypes` and `module: nodenext`. The
 * `@ts-expect-error` lines are the types' promises (a compile that accepts them fails the test).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { tempDir } from '../support/fixtures.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const CONSUMER = `
import { plugins, entryPoints, nodeEnvironment, isEntryPointLoadError, type Plugin, type PluginFailure, type NodeEntryPoint } from 'epindex';

interface Formatter { format(text: string): string; order?: number }

export async function host(): Promise<string[]> {
  const set = plugins<Formatter>('myhost.formatters', { block: ['legacy'], strict: false, disableEnv: 'MYHOST_OFF', from: '.', global: false });
  const out: string[] = [];
  for await (const p of set) {
    const plugin: Plugin<Formatter> = p;
    out.push(plugin.object.format(plugin.name));
  }
  const first: Formatter | undefined = await set.get('yaml');
  const failures: readonly PluginFailure[] = await set.failures();
  for (const f of failures) out.push(f.distribution.name, f.error.stage, f.error.entryPoint);
  const eps = await entryPoints<Formatter>({ group: 'myhost.formatters' });
  for (const ep of eps) {
    const typed: NodeEntryPoint<Formatter> = ep;
    try {
      const f: Formatter = await typed.load();
      out.push(f.format(ep.package.key), ep.value, ep.pointer, String(ep.package.version));
    } catch (e) {
      if (isEntryPointLoadError(e)) out.push(e.group, e.value, String(e.cause));
    }
  }
  const env = await nodeEnvironment({ from: '.', nodePath: false });
  out.push(...(await env.groups()).map((g) => g.group + g.packages));
  // @ts-expect-error: load() of a Formatter entry point is not a number
  const n: number = await eps.at(0)!.load();
  // @ts-expect-error: plugin options are checked
  plugins('g', { strict: 'yes' });
  void first; void n;
  return out;
}
`;

test('a strict TypeScript host type-checks against the public npm API', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repo, path.join(dir, 'node_modules', 'epindex'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  fs.writeFileSync(path.join(dir, 'host.ts'), CONSUMER);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(repo, 'node_modules', '@types')] },
    files: ['host.ts'],
  }));
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
