/**
 * The interpreter line of any script in a scripts directory, not only a launcher: a
 * distribution's own `#!` scripts (a wheel's `.data/scripts`, to which installers give the
 * interpreter they install with), a user's scripts. `repair` rewrites the interpreter path
 * there and nothing else (docs/spec.md §11.7). Byte offsets, not text: the rest of the file is
 * kept byte for byte, whatever it holds (a zipapp after its `#!` line is binary).
 *
 * Forms, as installers write them:
 * - `plain`: `#!PATH[ ARG]` (pip and pypa/installer, whatever the length);
 * - `sh-exec`: `#!/bin/sh`, coding comments, `'''exec' WORDS "$0" "$@"`, `' '''` (pypa/installer's
 *   and pip's launchers for long paths);
 * - `sh-printf`: the same with `"$(printf %b '\'0NNN' …)"` for the path, one octal escape a
 *   byte (uv's scripts, after a `# coding: utf-8` line);
 * - `relocatable`: epindex's and uv's relative forms, which a move does not break.
 */
import { CODING, execInterpreter, splitPrelude, type InterpreterRef } from './detect.js';
import { MAX_SHEBANG_BYTES, absolutePrelude, shellQuote, unwritableInterpreterReason } from './launcher.js';

export type ScriptForm = 'plain' | 'sh-exec' | 'sh-printf' | 'relocatable';

export interface ScriptPrelude {
  readonly form: ScriptForm;
  readonly interpreter: InterpreterRef;
  /** Bytes `[start, end)` that `rewriteInterpreter` replaces: the path of a plain line, the `'''exec'` line of the /bin/sh forms. */
  readonly start: number;
  readonly end: number;
  /** End of the first line, its newline included. */
  readonly lineEnd: number;
}

export type ScriptHead =
  | { readonly kind: 'script'; readonly prelude: ScriptPrelude }
  /** No `#!` at the start: a binary, a data file. */
  | { readonly kind: 'not-a-script' }
  /** A `#!` line epindex cannot read (not UTF-8, empty, longer than the head). */
  | { readonly kind: 'unreadable'; readonly why: string };

interface Line {
  readonly start: number;
  /** Before the newline (and before a `\r`). */
  readonly end: number;
  /** After the newline. */
  readonly next: number;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The first `max` complete lines of `head` that are UTF-8 (stops at the first that is not). */
function firstLines(head: Uint8Array, max: number): Line[] {
  const out: Line[] = [];
  let at = 0;
  while (out.length < max && at < head.length) {
    const nl = head.indexOf(0x0a, at);
    if (nl < 0) break;
    let end = nl;
    if (end > at && head[end - 1] === 0x0d) end--;
    let text: string;
    try {
      text = utf8.decode(head.subarray(at, end));
    } catch {
      break;
    }
    out.push({ start: at, end, next: nl + 1, text });
    at = nl + 1;
  }
  return out;
}

/** uv's `"$(printf %b '\'0057' '\'0164' …)"`: the path, one octal escape a byte. */
const PRINTF = /^"\$\(printf %b ((?:'\\'0[0-7]{1,3} )*'\\'0[0-7]{1,3})\)"$/;

function printfPath(command: string): string | null {
  const m = PRINTF.exec(command);
  if (m === null) return null;
  const bytes = m[1]!.split(' ').map((w) => parseInt(w.slice(4), 8));
  if (bytes.some((b) => b > 0xff)) return null;
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

const EXEC_HEAD = "'''exec' ";
const EXEC_TAIL = ' "$0" "$@"';

/**
 * What the first lines of a script say runs it. `head` is the file's start (enough for the
 * prelude: a 4,096-byte path in uv's printf form is 32 KiB).
 */
export function parseScriptHead(head: Uint8Array): ScriptHead {
  if (head[0] !== 0x23 || head[1] !== 0x21) return { kind: 'not-a-script' };
  const lines = firstLines(head, 20);
  const first = lines[0];
  if (first === undefined) return { kind: 'unreadable', why: head.indexOf(0x0a) < 0 ? 'its #! line has no end within the first bytes read' : 'its #! line is not UTF-8' };
  if (first.text === '#!/bin/sh' && lines.length > 2) {
    const sh = shellPrelude(lines);
    if (sh !== null) return { kind: 'script', prelude: { ...sh, lineEnd: first.next } };
  }
  // Plain: the kernel skips blanks after `#!`; the path ends at the next blank; the rest is one argument.
  const m = /^#!([ \t]*)([^ \t]*)/.exec(first.text)!;
  const p = m[2]!;
  if (p === '') return { kind: 'unreadable', why: 'its #! line names no interpreter' };
  const start = first.start + Buffer.byteLength(`#!${m[1]!}`);
  const rest = first.text.slice(m[0].length).trim();
  const interpreter: InterpreterRef = p.slice(p.lastIndexOf('/') + 1) === 'env' ? { kind: 'command', text: first.text.slice(2).trim() } : { kind: 'absolute', path: p, args: rest === '' ? [] : [rest] };
  return { kind: 'script', prelude: { form: 'plain', interpreter, start, end: start + Buffer.byteLength(p), lineEnd: first.next } };
}

/** The /bin/sh forms: epindex's relocatable prelude, the `'''exec'` line (after coding comments), uv's printf form. */
function shellPrelude(lines: readonly Line[]): Omit<ScriptPrelude, 'lineEnd'> | null {
  const known = splitPrelude(lines.map((l) => l.text + '\n').join(''));
  if (known !== null && known.interpreter.kind === 'relative') return { form: 'relocatable', interpreter: known.interpreter, start: lines[1]!.start, end: lines[1]!.end };
  let i = 1;
  while (i < 3 && CODING.test(lines[i]?.text ?? '')) i++;
  const exec = lines[i];
  if (exec === undefined || lines[i + 1]?.text !== "' '''" || !exec.text.startsWith(EXEC_HEAD) || !exec.text.endsWith(EXEC_TAIL)) return null;
  const command = exec.text.slice(EXEC_HEAD.length, -EXEC_TAIL.length);
  const printf = printfPath(command);
  if (printf !== null) return { form: 'sh-printf', interpreter: { kind: 'absolute', path: printf, args: [] }, start: exec.start, end: exec.end };
  const interpreter = execInterpreter(command);
  if (interpreter === null) return null;
  return { form: interpreter.kind === 'relative' ? 'relocatable' : 'sh-exec', interpreter, start: exec.start, end: exec.end };
}

const PYTHON = /^(python|pypy)/;
const UTF8_NAME = /^utf[-_]?8$/i;

/**
 * Why a plain script cannot take the /bin/sh prelude (its `#!` line would be too long), or
 * null. Python reads the shell lines as a string, so the script must be Python, keep its
 * encoding when its second line stops being one of the first two (UTF-8, Python's default),
 * and have no `from __future__` import, which only a docstring may precede.
 */
function shFormHazard(content: Buffer, prelude: ScriptPrelude, interpreter: string): string | null {
  if (!PYTHON.test(interpreter.slice(interpreter.lastIndexOf('/') + 1))) return 'the /bin/sh form works only for Python scripts';
  let text: string;
  try {
    text = utf8.decode(content.subarray(prelude.lineEnd));
  } catch {
    return 'the script is not UTF-8 text, and the /bin/sh form would change how Python reads it';
  }
  if (content[prelude.lineEnd - 2] === 0x0d) return 'its #! line ends in CRLF';
  const second = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const coding = /coding[:=][ \t]*([-\w.]+)/.exec(second);
  if (CODING.test(second) && coding !== null && !UTF8_NAME.test(coding[1]!)) return `it declares the encoding ${coding[1]} on its second line, which the /bin/sh form would move past the first two`;
  if (/^[ \t]*from[ \t]+__future__[ \t]+import\b/m.test(text)) return 'it has a `from __future__` import, which the /bin/sh form would no longer let come first';
  return null;
}

/** uv's printf words for a path: one `'\'0NNN` a byte. */
const printfWords = (p: string): string => [...Buffer.from(p, 'utf8')].map((b) => `'\\'0${b.toString(8).padStart(3, '0')}`).join(' ');

/**
 * `content` with its interpreter path replaced by `interpreter`, everything else byte for
 * byte; the form is kept (a plain line whose new path does not fit takes the /bin/sh prelude when
 * that is safe). Or why it cannot be written.
 */
export function rewriteInterpreter(content: Buffer, prelude: ScriptPrelude, interpreter: string): { readonly content: Buffer; readonly form: ScriptForm } | { readonly reason: string } {
  const splice = (start: number, end: number, text: string): Buffer => Buffer.concat([content.subarray(0, start), Buffer.from(text, 'utf8'), content.subarray(end)]);
  const ref = prelude.interpreter;
  const args = ref.kind === 'absolute' ? ref.args : [];
  switch (prelude.form) {
    case 'plain': {
      const control = unwritableInterpreterReason(interpreter, 'plain');
      if (control !== null) return { reason: control };
      const line = prelude.lineEnd - (prelude.end - prelude.start) + Buffer.byteLength(interpreter);
      if (!/[ \t]/.test(interpreter) && line <= MAX_SHEBANG_BYTES) return { content: splice(prelude.start, prelude.end, interpreter), form: 'plain' };
      const why = /[ \t]/.test(interpreter) ? 'the new interpreter path holds a space or tab, which a #! line cannot carry' : `the new #! line would be ${line} bytes, over the ${MAX_SHEBANG_BYTES} installers allow (older kernels cut the line there)`;
      const replacement = absolutePrelude(interpreter, args);
      if (!replacement.startsWith('#!/bin/sh\n')) return { content: splice(0, prelude.lineEnd, replacement), form: 'plain' };
      const hazard = shFormHazard(content, prelude, interpreter) ?? unwritableInterpreterReason(interpreter, 'shell');
      if (hazard !== null) return { reason: `${why}, and ${hazard}` };
      return { content: splice(0, prelude.lineEnd, replacement), form: 'sh-exec' };
    }
    case 'sh-exec': {
      const why = unwritableInterpreterReason(interpreter, 'shell');
      if (why !== null) return { reason: why };
      return { content: splice(prelude.start, prelude.end, `${EXEC_HEAD}${[interpreter, ...args].map(shellQuote).join(' ')}${EXEC_TAIL}`), form: 'sh-exec' };
    }
    case 'sh-printf': {
      const why = unwritableInterpreterReason(interpreter, 'plain');
      if (why !== null) return { reason: why };
      return { content: splice(prelude.start, prelude.end, `${EXEC_HEAD}"$(printf %b ${printfWords(interpreter)})"${EXEC_TAIL}`), form: 'sh-printf' };
    }
    case 'relocatable':
      return { reason: 'a relocatable prelude finds its interpreter itself' };
  }
}
