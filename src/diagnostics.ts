/**
 * One diagnostics type for every reader, discoverer and cache path.
 * A diagnostic is data: library code returns it, only the CLI decides how to show it.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Severities in the order reports show them: errors first. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** The diagnostics errors first, then warnings, then info, each kind in its given order (the sort is stable). */
export function bySeverity<T extends { readonly severity: Severity }>(diagnostics: readonly T[]): T[] {
  return [...diagnostics].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

export interface Diagnostic {
  /** Stable code, e.g. `EP104`; see docs/spec.md §7. */
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** The file (or path entry) the diagnostic is about, when there is one. */
  readonly file?: string;
  /** 1-based line number within `file`, when the diagnostic is about one line. */
  readonly line?: number;
  /** RFC 6901 JSON pointer to the value the diagnostic is about (package.json declarations). */
  readonly pointer?: string;
  readonly message: string;
}

/** Every diagnostic code with its fixed severity and a short title (the spec's table). */
export const DIAGNOSTIC_CODES = {
  // entry_points.txt content
  EP101: ['error', 'entry_points.txt is not valid UTF-8; the distribution\'s entry points are skipped'],
  EP102: ['warning', 'entry_points.txt starts with a UTF-8 byte order mark; it was removed'],
  EP103: ['warning', '";" comment line; treated as a comment'],
  EP104: ['error', 'line without "="; skipped'],
  EP105: ['warning', 'entry point with an empty name'],
  EP106: ['warning', 'entry point with an empty value'],
  EP107: ['warning', 'invalid group name'],
  EP108: ['warning', 'invalid object reference'],
  EP109: ['warning', 'line before the first [group] header; skipped'],
  EP110: ['warning', 'invalid entry point name'],
  EP111: ['error', 'entry_points.txt cannot be read'],
  EP112: ['warning', 'entry_points.txt is not a regular file; ignored'],
  EP113: ['error', 'entry_points.txt is over the size limit; not read'],
  // discovery
  EP201: ['info', 'distribution shadowed by an earlier one of the same name'],
  EP202: ['warning', 'metadata directory without METADATA/PKG-INFO (leftover); it never hides a real distribution'],
  EP203: ['warning', 'path entry or metadata directory cannot be read'],
  EP204: ['warning', 'symbolic link loop'],
  EP205: ['warning', 'zip archive cannot be read'],
  EP206: ['warning', 'several distributions of one name in one directory'],
  EP207: ['info', '.pth "import" line not executed (site emulation)'],
  EP208: ['warning', 'metadata without a usable Name; distribution skipped'],
  EP209: ['warning', '.dist-info that is not a directory; ignored'],
  EP210: ['warning', 'METADATA/PKG-INFO is not a regular file; ignored'],
  EP211: ['warning', 'METADATA/PKG-INFO is not valid UTF-8'],
  EP212: ['warning', 'METADATA/PKG-INFO Name or Version holds a control character'],
  EP213: ['warning', 'METADATA/PKG-INFO is over the size limit; its Name and Version are not read'],
  EP214: ['warning', 'candidate is a special file (FIFO, socket, device); ignored'],
  EP215: ['error', 'zip integrity: CRC-32 or sizes do not match, or the data is damaged; the member is not used'],
  EP216: ['warning', 'zip archive over a size limit'],
  EP217: ['warning', '.pth file cannot be read (site emulation); skipped'],
  EP219: ['warning', 'path entry does not exist; skipped'],
  // cache
  EP301: ['warning', 'cache is corrupt or truncated; ignored'],
  EP302: ['warning', 'cache has a foreign format version; ignored'],
  EP303: ['warning', 'cache checksum does not match (tampered); ignored'],
  EP304: ['warning', 'cache is not trusted (owner, mode or symlink); ignored'],
  EP305: ['info', 'cache is stale'],
  EP306: ['warning', 'cache could not be written; results come from a scan'],
  EP307: ['warning', 'no fresh cache for this path entry under --cache only; it contributes nothing'],
  EP308: ['info', 'cache describes another directory; ignored'],
  EP309: ['warning', 'user cache root not trusted; no user cache is read or written'],
  // interpreter
  EP401: ['error', 'the Python interpreter could not be run'],
  // npm packages: package.json declarations (docs/spec.md "npm packages")
  EP701: ['error', 'package.json is not valid UTF-8 JSON; the package declares nothing'],
  EP702: ['error', 'package.json cannot be read; the package declares nothing'],
  EP703: ['error', '"plugin-entry-points" is not an object; ignored'],
  EP704: ['error', 'a group of "plugin-entry-points" is not an object; the group is skipped'],
  EP705: ['error', 'invalid group name; the group is skipped'],
  EP706: ['error', 'invalid entry point name; the entry point is skipped'],
  EP707: ['warning', 'entry point name outside the recommended [\\w.-]+'],
  EP708: ['error', 'target is not a string; the entry point is skipped'],
  EP709: ['error', 'invalid target (kept; loading it fails)'],
  EP710: ['warning', 'package.json without a usable "name"; the directory name is used'],
  EP711: ['info', 'package.json "name" differs from the directory Node resolves it by'],
  EP712: ['warning', 'package.json is not a regular file or is too large; the package declares nothing'],
  EP713: ['error', 'package.json nested deeper than the limit; the package declares nothing'],
  // npm packages: discovery
  EP720: ['info', 'package shadowed by a nearer one of the same name'],
  EP721: ['warning', 'node_modules directory or package directory cannot be read'],
  EP722: ['warning', 'symbolic link loop or dangling link in node_modules'],
  EP723: ['warning', 'Yarn Plug\'n\'Play project, and this process does not run under PnP'],
  EP725: ['info', 'a directory in node_modules without package.json; skipped'],
  // environment choice (docs/spec.md §4.4.1)
  EP402: ['warning', '$VIRTUAL_ENV names no usable environment; ignored'],
  EP403: ['warning', 'a .venv without an interpreter; skipped'],
  EP404: ['warning', '$CONDA_PREFIX names no usable environment; ignored'],
  EP405: ['info', 'a version-manager shim could not be resolved without running it; its answer is not cached'],
  // scripts (launchers)
  EP501: ['error', 'script name refused: a path separator, "..", NUL, a control character, an absolute path or a path outside the destination'],
  EP502: ['error', 'script without ":attr" refused'],
  EP503: ['error', 'script whose value a launcher cannot import refused'],
  EP504: ['warning', 'script names that differ only in case'],
  EP505: ['warning', 'launcher file claimed by several distributions (or by both script groups)'],
  EP506: ['warning', 'a file epindex did not write is in the way; left alone'],
  EP507: ['error', 'launcher could not be written, changed or removed'],
  EP508: ['error', 'the interpreter path cannot be written into a launcher'],
  EP509: ['warning', 'a directory, special file or the interpreter itself is in the way; never replaced'],
  EP510: ['warning', 'activate script left alone: its old location is ambiguous or cannot be rewritten safely'],
  EP511: ['warning', 'no launcher written for a distribution one of whose scripts was refused'],
  EP512: ['warning', 'script name declared twice in one group of one distribution; the last is used'],
  EP513: ['info', 'launcher not removed: it belongs to another distribution too'],
  EP514: ['error', 'no distribution of that name with console or gui scripts'],
  EP515: ['error', 'a script in the scripts directory names the old location of the environment and was not repaired'],
  EP516: ['error', 'a script in the scripts directory is broken (its interpreter or link target is missing) and not from a location the environment was moved from; left as it is'],
  EP517: ['warning', 'a file in the scripts directory, or a RECORD that lists scripts, cannot be read; not examined'],
  // check and the accelerator (issue 8)
  EP801: ['error', 'an entry point failed to load (epi check)'],
  EP802: ['error', 'importing an entry point crashed, exited or timed out (epi check)'],
  EP803: ['warning', 'the importlib.metadata accelerator failed and disabled itself for the process'],
  EP804: ['info', 'the accelerator left a lookup to importlib.metadata (a deviation or an unsupported case)'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Build a diagnostic with the code's fixed severity. */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  where: { file?: string | undefined; line?: number | undefined; pointer?: string | undefined } = {},
): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code,
    severity: DIAGNOSTIC_CODES[code][0],
    message,
  };
  if (where.file !== undefined) d.file = where.file;
  if (where.line !== undefined) d.line = where.line;
  if (where.pointer !== undefined) d.pointer = where.pointer;
  return d;
}

/** `file:line: severity CODE message`, the one-line form used by the CLI. */
export function formatDiagnostic(d: Diagnostic): string {
  const at = d.file === undefined ? '' : d.line === undefined ? `${d.file}: ` : `${d.file}:${d.line}: `;
  return `${at}${d.severity} ${d.code} ${d.message}${d.pointer === undefined ? '' : ` (at ${d.pointer === '' ? '/' : d.pointer})`}`;
}
