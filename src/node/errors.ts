/**
 * The error a failed `load()` rejects with: what was attempted (package, group, name, target),
 * at which stage, with the original error as `cause`. Recognisable without `instanceof` (a host
 * and its plugins may hold different copies of epindex): `isEntryPointLoadError`.
 */

/** Where loading failed: an invalid target, resolution, the import itself, or the export path. */
export type LoadStage = 'target' | 'resolve' | 'import' | 'export' | 'value';

export interface EntryPointIdentity {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly package: { readonly name: string; readonly version: string | null };
}

const BRAND = Symbol.for('epindex.EntryPointLoadError');

export class EntryPointLoadError extends Error {
  override readonly name = 'EntryPointLoadError';
  readonly code = 'ENTRY_POINT_LOAD_FAILED';
  readonly stage: LoadStage;
  /** The package (distribution) that declared the entry point. */
  readonly package: { readonly name: string; readonly version: string | null };
  readonly group: string;
  readonly entryPoint: string;
  /** The target as declared. */
  readonly value: string;

  constructor(ep: EntryPointIdentity, stage: LoadStage, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const pkg = `${ep.package.name}${ep.package.version === null ? '' : '@' + ep.package.version}`;
    super(`cannot load entry point "${ep.name}" of group "${ep.group}" (${ep.value}) from ${pkg}: ${why}`, { cause });
    this.stage = stage;
    this.package = { name: ep.package.name, version: ep.package.version };
    this.group = ep.group;
    this.entryPoint = ep.name;
    this.value = ep.value;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isEntryPointLoadError(e: unknown): e is EntryPointLoadError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
