/** What a build backend would write to entry_points.txt, read from a project file. */
import type { DeclaredEntry } from '../lint/rules/entries.js';
import type { Finding } from '../lint/findings.js';

export interface BuildDeclaration {
  /** The project file read. */
  readonly file: string;
  /** The entry points a backend writes, in declaration order (names and values as the backend takes them). */
  readonly entries: readonly DeclaredEntry[];
  /** Problems: build errors, spec violations, portability of what would be written. */
  readonly findings: readonly Finding[];
  /** Entry points the backend computes at build time ([project] dynamic); nothing can be rendered for them. */
  readonly dynamic: readonly string[];
}
