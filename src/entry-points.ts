/**
 * The result of a lookup: importlib.metadata's `EntryPoints` vocabulary (`select`, `names`,
 * `groups`, lookup by name) plus the diagnostics of the lookup that produced it.
 */
import type { Diagnostic } from './diagnostics.js';
import type { EntryPoint, EntryPointQuery } from './entry-point.js';

export class EntryPoints implements Iterable<EntryPoint> {
  readonly #items: readonly EntryPoint[];
  #diagnostics: readonly Diagnostic[] | (() => readonly Diagnostic[]);

  /** `diagnostics` may be a function: they are then gathered on first access. */
  constructor(items: readonly EntryPoint[], diagnostics: readonly Diagnostic[] | (() => readonly Diagnostic[]) = []) {
    this.#items = items;
    this.#diagnostics = diagnostics;
  }

  /** Everything the lookup noticed: bad files, shadowed distributions, cache problems. */
  get diagnostics(): readonly Diagnostic[] {
    if (typeof this.#diagnostics === 'function') this.#diagnostics = this.#diagnostics();
    return this.#diagnostics;
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<EntryPoint> {
    return this.#items[Symbol.iterator]();
  }

  at(index: number): EntryPoint | undefined {
    return this.#items.at(index);
  }

  /** The entry points matching every given criterion (importlib's `EntryPoints.select`). */
  select(query: EntryPointQuery): EntryPoints {
    return new EntryPoints(this.#items.filter((e) => e.matches(query)), () => this.diagnostics);
  }

  /** The first entry point with this name, as importlib's `EntryPoints[name]` (search-path order). */
  get(name: string): EntryPoint | undefined {
    return this.#items.find((e) => e.name === name);
  }

  get names(): Set<string> {
    return new Set(this.#items.map((e) => e.name));
  }

  get groups(): Set<string> {
    return new Set(this.#items.map((e) => e.group));
  }

  toArray(): EntryPoint[] {
    return [...this.#items];
  }

  toJSON(): ReturnType<EntryPoint['toJSON']>[] {
    return this.#items.map((e) => e.toJSON());
  }
}
