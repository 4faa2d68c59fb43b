/**
 * Standard output and error for the CLI, written with `fs.writeSync` on the descriptors: the
 * first use of `process.stdout` builds Node's stream stack for the kind of file it is (net
 * sockets for a pipe, ~25 internal modules), which measured ~4 ms of a ~25 ms warm lookup.
 * A reader that went away (`epi list | head -1`) is not an error: from the first EPIPE on,
 * that output is dropped and the command finishes with its own exit status.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const closed: boolean[] = [];

const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function write(fd: 1 | 2, text: string): void {
  if (closed[fd] === true || text === '') return;
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        pause(1); // a non-blocking descriptor inherited from the parent: wait for the reader
        continue;
      }
      if (code === 'EPIPE') {
        closed[fd] = true;
        return;
      }
      throw e;
    }
  }
}

export const out = (text: string): void => write(1, text);
export const err = (text: string): void => write(2, text);

const terminals: (boolean | undefined)[] = [];

/**
 * Whether `fd` is a terminal. node:tty (which loads net) is asked only about character devices
 * other than /dev/null, where benchmarks and scripts send output.
 */
export function isTerminal(fd: 1 | 2): boolean {
  let t = terminals[fd];
  if (t === undefined) {
    try {
      const st = fs.fstatSync(fd);
      const devNull = process.platform === 'win32' ? undefined : fs.statSync('/dev/null', { throwIfNoEntry: false });
      t = st.isCharacterDevice() && !(devNull !== undefined && st.rdev === devNull.rdev) && (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
    } catch {
      t = false;
    }
    terminals[fd] = t;
  }
  return t;
}

/** The terminal's width when stdout is one. */
export function terminalColumns(): number | undefined {
  return isTerminal(1) && typeof process.stdout.columns === 'number' && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}
