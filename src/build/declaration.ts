/** What a build backend would write to entry_points.txt, read from a project file. */
import type { DeclaredEntry } from '../lint/rules/entries.js';
import type { Finding } from '../lint/findings.js';

/**
 * What setuptools holds in `Distribution.entry_points` after reading a file, for the precedence
 * between setup.py, setup.cfg and pyproject.toml (src/build/project.ts): a dict of groups (each
 * with whether its value is truthy: an empty list counts as not given), INI text, nothing, or
 * unknown (computed when setup.py runs, or the file could not be read).
 */
export type SetuptoolsValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'dict'; readonly groups: ReadonlyMap<string, boolean> }
  | { readonly kind: 'text'; readonly truthy: boolean }
  | { readonly kind: 'unknown' };

/** Python's truth value of what setuptools holds: an empty dict or text is as good as none. */
export function isTruthy(v: SetuptoolsValue): boolean {
  return v.kind === 'dict' ? v.groups.size > 0 : v.kind === 'text' ? v.truthy : v.kind === 'unknown';
}

export interface BuildDeclaration {
  /** The project file read. */
  readonly file: string;
  /** The entry points a backend writes, in declaration order (names and values as the backend takes them). */
  readonly entries: readonly DeclaredEntry[];
  /** Problems: build errors, spec violations, portability of what would be written. */
  readonly findings: readonly Finding[];
  /** Entry points the backend computes at build time ([project] dynamic); nothing can be rendered for them. */
  readonly dynamic: readonly string[];
  /** setup.cfg and setup.py: the value setuptools holds, and the line it is declared on. */
  readonly setuptools?: SetuptoolsValue;
  readonly line?: number | undefined;
  /**
   * The entry points cannot be known without building: setup.py computes them, or could not be
   * read (the findings say why). `epi write` writes nothing then.
   */
  readonly undecided?: boolean;
}
