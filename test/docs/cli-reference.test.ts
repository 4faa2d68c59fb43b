/**
 * docs/cli.md is the reference of `epi`, and `epi --help` its source of truth: every command of
 * the help has a section of its own in docs/cli.md, and that section names every option the
 * command's (and its subcommands') `--help` lists. An option added without a line in the
 * reference fails here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { epi } from '../support/cli.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const reference = fs.readFileSync(path.join(REPO, 'docs', 'cli.md'), 'utf8');

/** The `## …` sections of docs/cli.md by their heading. */
const sections = reference.split(/^(?=## )/m).map((s) => ({ heading: s.slice(0, s.indexOf('\n')), text: s }));

/** Commands (or subcommands) and long options of one help text. */
function help(args: string[]): { commands: string[]; options: string[] } {
  const r = epi([...args, '--help']);
  assert.equal(r.status, 0, r.stderr);
  const block = (title: string): string => r.stdout.split('\n\n').find((b) => b.startsWith(`${title}:\n`)) ?? '';
  const [options, commands] = [block('Options'), block('Commands')];
  return {
    options: [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help'),
    commands: [...commands.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help'),
  };
}

const top = help([]);

test('epi --help lists the commands docs/cli.md documents', () => {
  assert.ok(top.commands.length >= 14, top.commands.join(' '));
});

for (const command of top.commands) {
  test(`docs/cli.md has a section on \`epi ${command}\` naming every option of its --help`, () => {
    const section = sections.find((s) => s.heading.includes(`\`epi ${command}\``));
    assert.ok(section, `docs/cli.md has no "## \`epi ${command}\`" section`);
    const own = help([command]);
    const options = new Set(own.options);
    for (const sub of own.commands) for (const o of help([command, sub]).options) options.add(o);
    const missing = [...options].filter((o) => !new RegExp(`${o}(?![\\w-])`).test(section.text));
    assert.deepEqual(missing, [], `the section "${section.heading}" does not name ${missing.join(', ')}`);
  });
}

test('docs/cli.md names the options every command takes: --version, --debug, --help', () => {
  for (const o of top.options) assert.match(reference, new RegExp(`${o}(?![\\w-])`), o);
  assert.match(reference, /--help/);
});
