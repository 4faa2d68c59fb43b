/**
 * The pages link to each other and into the spec by section: every relative link of README.md
 * and docs/*.md names a file that exists, and an `#anchor` names a heading of that page (as
 * GitHub makes anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchors of a Markdown text (headings outside code fences). */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of text.split('\n')) {
    if (/^```/.test(line)) fence = !fence;
    const h = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const base = h[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test('GitHub anchors: punctuation and code marks dropped, spaces to hyphens', () => {
  assert.deepEqual([...anchors('## 4.4 Where the search path comes from\n### `epi lint` and `epi write`\n## 8. The CLI\n## 8. The CLI\n')], ['44-where-the-search-path-comes-from', 'epi-lint-and-epi-write', '8-the-cli', '8-the-cli-1']);
});

for (const page of PAGES) {
  test(`${page}: every relative link and anchor resolves`, () => {
    const text = fs.readFileSync(path.join(REPO, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = file === '' ? path.join(REPO, page) : path.resolve(path.dirname(path.join(REPO, page)), file);
      if (!fs.existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${target}: no such heading`);
    }
    assert.deepEqual(broken, []);
  });
}
