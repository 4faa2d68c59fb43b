/**
 * The model: an entry point (group, name, value) and its parsed object reference.
 * Construction never throws; an invalid value is kept and explains itself via `problem`.
 */
import { isPyIdentifier } from './python/text.js';

/** An installed distribution, as discovery found it. */
export interface Distribution {
  /** The `Name` of its METADATA / PKG-INFO (as importlib's `dist.name`); the directory stem's name when there is none. */
  readonly name: string;
  /** PEP 503 normalized name of the directory stem's name (importlib's identity for a distribution). */
  readonly normalizedName: string;
  /** From the directory stem, else from METADATA / PKG-INFO; `null` when neither has one. */
  readonly version: string | null;
  /** The `*.dist-info` / `*.egg-info` directory (or file, or `EGG-INFO` of an egg), absolute. */
  readonly metadataPath: string;
  /** The search-path entry it was found in. */
  readonly pathEntry: string;
  readonly layout: DistributionLayout;
  /** Whether METADATA (or PKG-INFO) exists; a metadata-less directory is a leftover. */
  readonly hasMetadata: boolean;
}

export type DistributionLayout = 'dist-info' | 'egg-info' | 'egg-info-file' | 'egg';

/** The parts of an object reference `module(.part)*[:attr(.part)*] [extras]`. */
export interface ObjectReference {
  readonly module: string;
  readonly attr: string | null;
  readonly extras: readonly string[];
}

export type ParsedReference =
  | ({ readonly ok: true } & ObjectReference)
  | { readonly ok: false; readonly problem: string };

// PEP 508: identifier = letterOrDigit ( (letterOrDigit | [-_.])* letterOrDigit )?
const EXTRA = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const WSP = ' \t';

function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && WSP.includes(s[a]!)) a++;
  while (b > a && WSP.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function checkDotted(what: string, dotted: string): string | null {
  if (dotted === '') return `empty ${what}`;
  for (const part of dotted.split('.')) {
    if (part === '') return `${what} "${dotted}" has an empty dotted part`;
    if (!isPyIdentifier(part)) return `"${part}" in ${what} "${dotted}" is not a Python identifier`;
  }
  return null;
}

/**
 * Parse an object reference per the PyPA entry points specification: dotted Python identifiers
 * (Unicode-aware), an optional `:attr`, optional PEP 508 extras in brackets; spaces and tabs are
 * accepted around `:` and the brackets and after `]`.
 */
export function parseObjectReference(value: string): ParsedReference {
  let ref = value;
  let extras: string[] = [];
  const open = value.indexOf('[');
  if (open >= 0) {
    ref = value.slice(0, open);
    const rest = trimWsp(value.slice(open + 1));
    if (!rest.endsWith(']')) return { ok: false, problem: 'extras: "[" without a closing "]" at the end' };
    const inner = trimWsp(rest.slice(0, -1));
    if (inner !== '') {
      extras = inner.split(',').map(trimWsp);
      const bad = extras.find((e) => !EXTRA.test(e));
      if (bad !== undefined) return { ok: false, problem: `extras: "${bad}" is not a valid extra name (PEP 508)` };
    }
  } else if (value.includes(']')) {
    return { ok: false, problem: '"]" without an opening "["' };
  }
  const colon = ref.indexOf(':');
  let module: string;
  let attr: string | null = null;
  if (colon < 0) {
    module = ref.replace(/[ \t]+$/, '');
  } else {
    if (ref.indexOf(':', colon + 1) >= 0) return { ok: false, problem: 'more than one ":"' };
    module = ref.slice(0, colon).replace(/[ \t]+$/, '');
    attr = trimWsp(ref.slice(colon + 1));
    const attrProblem = checkDotted('attribute', attr);
    if (attrProblem !== null) return { ok: false, problem: attrProblem };
  }
  const moduleProblem = checkDotted('module', module);
  if (moduleProblem !== null) return { ok: false, problem: moduleProblem };
  return { ok: true, module, attr, extras };
}

/** Selection criteria, as importlib.metadata's `EntryPoints.select(**params)`. */
export interface EntryPointQuery {
  readonly group?: string;
  readonly name?: string;
  readonly value?: string;
  readonly module?: string;
  readonly attr?: string;
  /** Distribution name; compared after PEP 503 normalization. */
  readonly dist?: string;
}

export interface EntryPointJSON {
  group: string;
  name: string;
  value: string;
  module: string | null;
  attr: string | null;
  extras: string[];
  valid: boolean;
  problem?: string;
  dist: { name: string; normalizedName: string; version: string | null; metadataPath: string } | null;
}

/** One entry point. Immutable; the object reference is parsed lazily, once. */
export class EntryPoint {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly dist: Distribution | null;
  #parsed: ParsedReference | undefined;

  /** `parsed`: the reference already parsed (caches store it); parsed from `value` when absent. */
  constructor(group: string, name: string, value: string, dist: Distribution | null = null, parsed?: ParsedReference) {
    this.group = group;
    this.name = name;
    this.value = value;
    this.dist = dist;
    this.#parsed = parsed;
    Object.freeze(this);
  }

  #ref(): ParsedReference {
    // Object.freeze does not cover private fields, so the memo still works.
    return (this.#parsed ??= parseObjectReference(this.value));
  }

  /** The module to import; `null` when the value is not a valid object reference. */
  get module(): string | null {
    const r = this.#ref();
    return r.ok ? r.module : null;
  }

  /** The dotted attribute after `:`; `null` when absent or when the value is invalid. */
  get attr(): string | null {
    const r = this.#ref();
    return r.ok ? r.attr : null;
  }

  /** PEP 508 extras: `[dev-tools, a.b]` is `['dev-tools', 'a.b']`. */
  get extras(): readonly string[] {
    const r = this.#ref();
    return r.ok ? r.extras : [];
  }

  get valid(): boolean {
    return this.#ref().ok;
  }

  /** Why the value is not a valid object reference; `null` when it is. */
  get problem(): string | null {
    const r = this.#ref();
    return r.ok ? null : r.problem;
  }

  matches(query: EntryPointQuery): boolean {
    if (query.group !== undefined && query.group !== this.group) return false;
    if (query.name !== undefined && query.name !== this.name) return false;
    if (query.value !== undefined && query.value !== this.value) return false;
    if (query.module !== undefined && query.module !== this.module) return false;
    if (query.attr !== undefined && query.attr !== this.attr) return false;
    if (query.dist !== undefined && (this.dist === null || this.dist.normalizedName !== normalizeName(query.dist))) return false;
    return true;
  }

  toJSON(): EntryPointJSON {
    const j: EntryPointJSON = {
      group: this.group,
      name: this.name,
      value: this.value,
      module: this.module,
      attr: this.attr,
      extras: [...this.extras],
      valid: this.valid,
      dist: this.dist && {
        name: this.dist.name,
        normalizedName: this.dist.normalizedName,
        version: this.dist.version,
        metadataPath: this.dist.metadataPath,
      },
    };
    const p = this.problem;
    if (p !== null) j.problem = p;
    return j;
  }
}

/** A reference as caches store it (`[module, attr, extras]`, or the problem), back as a ParsedReference. */
export function referenceFromJSON(ref: unknown): ParsedReference | undefined {
  if (typeof ref === 'string') return { ok: false, problem: ref };
  if (Array.isArray(ref) && ref.length === 3 && typeof ref[0] === 'string' && (ref[1] === null || typeof ref[1] === 'string') && Array.isArray(ref[2])) {
    return { ok: true, module: ref[0], attr: ref[1], extras: ref[2] as string[] };
  }
  return undefined; // not a shape we wrote: parse the value again
}

/** PEP 503 name normalization: `re.sub(r"[-_.]+", "-", name).lower()`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
