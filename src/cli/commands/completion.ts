import { UsageError, closest, type Program } from '../args.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { out } from '../stdio.js';

export async function completion(program: Program, shell: string): Promise<number> {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    const c = closest(shell, SHELLS);
    throw new UsageError(`no completion for shell '${shell}'; choose one of ${SHELLS.join(', ')}${c !== null ? ` (did you mean \`${c}\`?)` : ''}`);
  }
  out(completionScript(program, shell as Shell));
  return 0;
}
