/** `epi cache build|status --node`: the caches of node_modules directories (the same engine as Python's). */
import { EpindexError } from '../../errors.js';
import type { OptionValues } from '../args.js';

export async function nodeCache(command: string, _args: string[], _o: OptionValues): Promise<number> {
  throw new EpindexError('NOT_FOUND', `${command} --node needs the cache engine's source interface, which is not on this branch yet`);
}
