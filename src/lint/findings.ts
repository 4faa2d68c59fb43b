/**
 * Lint findings: a diagnostic with a fix hint and, for portability findings, the readers that
 * read the construct differently. Codes EP601–EP699 are the linter's (docs/spec.md §12); a
 * finding may also carry a reader diagnostic code (EP1xx–EP4xx) when it reports one as it is.
 */
import { DIAGNOSTIC_CODES, SEVERITY_RANK, type Diagnostic, type DiagnosticCode, type Severity } from '../diagnostics.js';

/** The readers whose behaviour the portability rules describe (each checked by a test on the real reader). */
export const READERS = {
  importlib: 'importlib.metadata of CPython 3.10–3.13',
  'importlib-3.9': 'importlib.metadata of CPython 3.9 (ConfigParser-based)',
  'importlib-3.15': 'importlib.metadata of CPython 3.15 (importlib_metadata 8.7: validates every value when reading)',
  configparser: "configparser with the spec's settings (pypa/installer, entrypoints)",
  pkg_resources: 'pkg_resources (setuptools ≤ 81)',
} as const;

export type ReaderId = keyof typeof READERS;

/**
 * How one reader reads a construct, compared with epindex's reading (docs/spec.md §2):
 * `raises` — the reader raises `error` (for importlib.metadata: every caller of
 * `entry_points()`); `drops` — it returns fewer entry points, silently; `changes` — it returns
 * different ones. Readers not named read what epindex reads.
 */
export interface ReaderClaim {
  readonly reader: ReaderId;
  readonly outcome: 'raises' | 'drops' | 'changes';
  /** For `raises`: the exception's class name. */
  readonly error?: string;
  readonly detail: string;
}

export type FindingCategory = 'spec' | 'portability' | 'wheel' | 'pyproject' | 'setup.cfg' | 'setup.py' | 'project' | 'environment' | 'input';

export interface LintRule {
  readonly severity: Severity;
  readonly category: FindingCategory;
  readonly title: string;
  readonly hint: string;
  readonly readers?: readonly ReaderClaim[];
}

const raises = (reader: ReaderId, error: string, detail?: string): ReaderClaim => ({ reader, outcome: 'raises', error, detail: detail ?? `raises ${error}` });
const EVERY_CALLER = (error: string): string => `raises ${error} for every caller of entry_points()`;

/** Every lint code: severity, category, title, fix hint and (portability) reader claims. */
export const LINT_CODES = {
  // Spec violations (the PyPA entry points specification)
  EP601: {
    severity: 'error', category: 'spec', title: 'invalid group name',
    hint: 'Group names are letters, digits and underscores in dot-separated parts (^\\w+(\\.\\w+)*$); rename the group, e.g. "my_project.plugins".',
    readers: [raises('pkg_resources', 'ValueError', 'raises ValueError ("Invalid group name") for the whole distribution')],
  },
  EP602: { severity: 'error', category: 'spec', title: 'name contains "="', hint: 'Entry point names may not contain "="; every reader splits the line at the first "=". Rename it.' },
  EP603: {
    severity: 'error', category: 'spec', title: 'name starts with "["', hint: 'A name may not start with "["; readers take such a line for a group header. Rename it.',
    readers: [raises('pkg_resources', 'ValueError', 'raises ValueError ("Invalid section heading")')],
  },
  EP604: { severity: 'error', category: 'spec', title: 'name with leading or trailing whitespace', hint: 'Names cannot start or end with whitespace: readers strip it, so the name you wrote is not the name read. Remove it.' },
  EP605: {
    severity: 'error', category: 'spec', title: 'empty name', hint: 'Give the entry point a name before the "=".',
    readers: [raises('importlib-3.9', 'ParsingError'), raises('configparser', 'ParsingError'), raises('pkg_resources', 'ValueError')],
  },
  EP606: { severity: 'error', category: 'spec', title: 'invalid object reference', hint: 'A value is "module.path" or "module.path:object.attr", each part a Python identifier, optionally followed by " [extra1,extra2]".' },
  EP607: { severity: 'error', category: 'spec', title: 'script without ":function"', hint: 'console_scripts and gui_scripts entries name a function to call: "package.module:function". pip, uv and installer refuse a bare module.' },
  EP608: { severity: 'error', category: 'spec', title: 'script name is not a safe file name', hint: 'A script name becomes a file in the scripts directory: no "/", "\\", NUL or control characters, not "." or "..". Use letters, digits, ".", "-" and "_".' },
  EP609: { severity: 'warning', category: 'spec', title: 'script name outside [\\w.-]+', hint: 'The spec recommends letters, digits, "_", "." and "-" for names; shells need quoting for anything else and uv\'s build backend refuses it.' },
  EP610: { severity: 'warning', category: 'spec', title: 'script names that differ only in case', hint: 'On case-insensitive file systems (Windows, macOS) both scripts are the same file; what installers do is undefined (spec). Rename one.' },
  EP611: { severity: 'warning', category: 'spec', title: 'same name in console_scripts and gui_scripts', hint: 'Both groups install into the same scripts directory, so one script overwrites the other. Rename one.' },
  EP612: {
    severity: 'error', category: 'spec', title: 'duplicate name within a group', hint: 'Each name appears once per group; remove or rename the duplicate.',
    readers: [raises('importlib-3.9', 'DuplicateOptionError'), raises('configparser', 'DuplicateOptionError'), raises('pkg_resources', 'ValueError', 'raises ValueError ("Duplicate entry point")')],
  },
  EP614: { severity: 'error', category: 'spec', title: 'name starts with "#"', hint: 'Every reader takes a line starting with "#" for a comment, so the entry point is lost. Rename it.' },
  EP613: { severity: 'info', category: 'spec', title: 'extras on an entry point', hint: 'Extras on entry points are no longer recommended (spec); consumers may ignore them. Check for the optional dependency in the code instead.' },

  // Portability: constructs that readers read differently (docs/spec.md §12.3)
  EP620: {
    severity: 'error', category: 'portability', title: '";" comment line', hint: 'Use "#" for comments; importlib.metadata does not know ";".',
    readers: [raises('importlib', 'TypeError', EVERY_CALLER('TypeError')), raises('importlib-3.15', 'TypeError', EVERY_CALLER('TypeError')), raises('pkg_resources', 'ValueError')],
  },
  EP621: {
    severity: 'warning', category: 'portability', title: 'inline comment in a value', hint: 'Put comments on a line of their own: no reader removes an inline "#" or ";", so it becomes part of the value.',
    readers: [raises('importlib-3.15', 'ValueError', EVERY_CALLER('ValueError')), raises('pkg_resources', 'ValueError')],
  },
  EP622: {
    severity: 'error', category: 'portability', title: 'UTF-8 byte order mark', hint: 'Save the file as UTF-8 without a BOM.',
    readers: [
      { reader: 'importlib', outcome: 'drops', detail: 'silently drops every entry point before the second group header' },
      { reader: 'importlib-3.15', outcome: 'drops', detail: 'silently drops every entry point before the second group header' },
      raises('importlib-3.9', 'MissingSectionHeaderError'),
      raises('configparser', 'MissingSectionHeaderError'),
      raises('pkg_resources', 'ValueError'),
    ],
  },
  EP623: {
    severity: 'warning', category: 'portability', title: 'indented line after an entry point', hint: 'Remove the indentation: configparser-based readers join an indented line to the value above it.',
    readers: [
      { reader: 'importlib-3.9', outcome: 'changes', detail: 'joins the line to the previous value ("a:b\\nline")' },
      { reader: 'configparser', outcome: 'changes', detail: 'joins the line to the previous value ("a:b\\nline")' },
    ],
  },
  EP624: {
    severity: 'warning', category: 'portability', title: '[DEFAULT] group', hint: 'Rename the group: configparser treats [DEFAULT] as defaults for every other group.',
    readers: [
      { reader: 'importlib-3.9', outcome: 'changes', detail: 'copies its entries into every other group and has no DEFAULT group' },
      { reader: 'configparser', outcome: 'changes', detail: 'copies its entries into every other group and has no DEFAULT group' },
    ],
  },
  EP625: {
    severity: 'warning', category: 'portability', title: '"%" in a value', hint: 'Remove the "%": configparser interpolates "%(name)s" and raises for any other "%".',
    readers: [
      raises('importlib-3.9', 'InterpolationSyntaxError'),
      raises('configparser', 'InterpolationSyntaxError'),
      raises('importlib-3.15', 'ValueError', EVERY_CALLER('ValueError')),
      raises('pkg_resources', 'ValueError'),
    ],
  },
  EP626: {
    severity: 'error', category: 'portability', title: 'entry point before the first group header', hint: 'Move the line under a [group] header: importlib.metadata drops it silently.',
    readers: [raises('importlib-3.9', 'MissingSectionHeaderError'), raises('configparser', 'MissingSectionHeaderError'), raises('pkg_resources', 'ValueError', 'raises ValueError ("Entry points must be listed in groups")')],
  },
  EP627: {
    severity: 'warning', category: 'portability', title: 'group header repeated', hint: 'Merge the two sections of the group into one.',
    readers: [raises('importlib-3.9', 'DuplicateSectionError'), raises('configparser', 'DuplicateSectionError'), raises('pkg_resources', 'ValueError', 'raises ValueError ("Duplicate group name")')],
  },
  EP628: {
    severity: 'error', category: 'portability', title: 'not valid UTF-8', hint: 'Re-encode the file as UTF-8 (the spec\'s encoding).',
    readers: [
      raises('importlib', 'UnicodeDecodeError', EVERY_CALLER('UnicodeDecodeError')),
      raises('importlib-3.9', 'UnicodeDecodeError', EVERY_CALLER('UnicodeDecodeError')),
      raises('importlib-3.15', 'UnicodeDecodeError', EVERY_CALLER('UnicodeDecodeError')),
      raises('configparser', 'UnicodeDecodeError'),
      raises('pkg_resources', 'UnicodeDecodeError'),
    ],
  },
  EP629: {
    severity: 'error', category: 'portability', title: 'value that CPython 3.15 rejects', hint: 'Fix the object reference: from CPython 3.15 one such value makes entry_points() raise for every caller, whatever group they ask for.',
    readers: [raises('importlib-3.15', 'ValueError', EVERY_CALLER('ValueError')), raises('pkg_resources', 'ValueError')],
  },
  EP630: {
    severity: 'error', category: 'portability', title: 'line without "="', hint: 'Write "name = value" (with "=", not ":"), or make the line a "#" comment.',
    readers: [
      raises('importlib', 'TypeError', EVERY_CALLER('TypeError')),
      raises('importlib-3.15', 'TypeError', EVERY_CALLER('TypeError')),
      raises('importlib-3.9', 'ParsingError'),
      raises('configparser', 'ParsingError'),
      raises('pkg_resources', 'ValueError'),
    ],
  },
  EP631: {
    severity: 'warning', category: 'portability', title: 'whitespace inside a group header', hint: 'Write the header without spaces: "[group]".',
    readers: [{ reader: 'pkg_resources', outcome: 'changes', detail: 'strips the whitespace: reads the group without it' }],
  },
  EP632: {
    severity: 'warning', category: 'portability', title: 'group header with extra brackets', hint: 'Write the header with one pair of brackets: "[group]".',
    readers: [
      { reader: 'importlib-3.9', outcome: 'changes', detail: 'keeps one leading bracket in the group name ("[[g]]" is "[g")' },
      { reader: 'configparser', outcome: 'changes', detail: 'keeps the inner brackets in the group name ("[[g]]" is "[g]")' },
      raises('pkg_resources', 'ValueError', 'raises ValueError ("Invalid group name")'),
    ],
  },
  EP633: {
    severity: 'warning', category: 'portability', title: 'unusual line break', hint: 'End lines with "\\n" (or "\\r\\n") only; remove form feeds, vertical tabs, U+2028 and the like.',
    readers: [
      { reader: 'importlib-3.9', outcome: 'changes', detail: 'does not break the line there: the rest of it becomes part of the value' },
      { reader: 'configparser', outcome: 'changes', detail: 'does not break the line there: the rest of it becomes part of the value' },
    ],
  },
  EP634: {
    severity: 'warning', category: 'portability', title: 'name starts with ";"', hint: 'Rename the entry point: configparser-based readers take the line for a comment.',
    readers: [
      { reader: 'importlib-3.9', outcome: 'drops', detail: 'takes the line for a comment and drops the entry point' },
      { reader: 'configparser', outcome: 'drops', detail: 'takes the line for a comment and drops the entry point' },
    ],
  },

  // Wheels
  EP640: { severity: 'error', category: 'wheel', title: 'wheel cannot be read', hint: 'The file is not a readable zip archive; rebuild the wheel.' },
  EP641: { severity: 'error', category: 'wheel', title: 'no single .dist-info directory', hint: 'A wheel has exactly one top-level NAME-VERSION.dist-info directory; rebuild it with a standard backend.' },
  EP642: { severity: 'error', category: 'wheel', title: 'RECORD missing', hint: 'A wheel lists every file with its hash in .dist-info/RECORD; installers refuse one without it. Rebuild the wheel.' },
  EP643: { severity: 'error', category: 'wheel', title: 'entry_points.txt not in RECORD', hint: 'RECORD must list every file of the wheel; rebuild the wheel instead of adding files to it afterwards.' },
  EP644: { severity: 'error', category: 'wheel', title: 'RECORD hash of entry_points.txt does not match', hint: 'entry_points.txt was changed after RECORD was written; rebuild the wheel (pip and uv refuse to install it).' },
  EP645: { severity: 'error', category: 'wheel', title: 'RECORD size of entry_points.txt does not match', hint: 'entry_points.txt was changed after RECORD was written; rebuild the wheel.' },
  EP646: { severity: 'error', category: 'wheel', title: 'RECORD hash missing or not allowed', hint: 'RECORD entries carry "sha256=<urlsafe base64>" (md5 and sha1 are not allowed); rebuild the wheel.' },

  // pyproject.toml
  EP660: { severity: 'error', category: 'pyproject', title: 'pyproject.toml is not valid TOML', hint: 'Fix the TOML syntax; no build backend can read the file.' },
  EP661: { severity: 'error', category: 'pyproject', title: 'console_scripts or gui_scripts under [project.entry-points]', hint: 'Declare scripts in [project.scripts] and [project.gui-scripts]; build backends MUST refuse these tables (pyproject spec).' },
  EP662: { severity: 'error', category: 'pyproject', title: 'entry point table that is not name = "value" strings', hint: 'Each [project.entry-points.<group>] (and [project.scripts], [project.gui-scripts]) is a flat table of string values; nested tables are not allowed.' },
  EP663: { severity: 'info', category: 'pyproject', title: 'entry points are dynamic', hint: 'The build backend computes them at build time, so they cannot be read from pyproject.toml; lint the built wheel instead ("epi lint dist/*.whl").' },
  EP664: { severity: 'error', category: 'pyproject', title: 'entry points both dynamic and declared', hint: 'A field listed in project.dynamic may not also be given statically (backends MUST refuse); remove one.' },
  EP665: { severity: 'info', category: 'pyproject', title: 'no [project] table', hint: 'Only [project] (PEP 621) entry points are read; tool-specific tables such as [tool.poetry.scripts] are the backend\'s to translate.' },

  // setup.cfg
  EP670: { severity: 'error', category: 'setup.cfg', title: 'setup.cfg cannot be read as setuptools reads it', hint: 'Fix the INI syntax (configparser, which setuptools uses, refuses this file).' },
  EP671: { severity: 'error', category: 'setup.cfg', title: '"%" in an entry point of setup.cfg', hint: 'setuptools reads setup.cfg with interpolation: write "%%" for a literal "%", or remove it.' },
  EP672: { severity: 'warning', category: 'setup.cfg', title: 'entry points on one line', hint: 'setuptools splits a one-line value at every ",", which breaks extras like "[a,b]"; put each entry point on its own indented line.' },
  EP673: { severity: 'warning', category: 'setup.cfg', title: 'entry points declared twice', hint: 'Use either [options] entry_points or [options.entry_points]; setuptools keeps only the later one.' },
  EP674: { severity: 'error', category: 'setup.cfg', title: '"file:" entry points cannot be read', hint: 'The file named after "file:" must exist inside the project directory.' },
  EP675: { severity: 'error', category: 'setup.cfg', title: 'entry point line setuptools cannot parse', hint: 'Every line of an entry point value is "name = value"; setuptools stops the build on anything else.' },

  // setup.py (read with Python's ast, never run) and the precedence between project files
  EP680: { severity: 'error', category: 'setup.py', title: 'setup.py cannot be read or parsed', hint: 'The build runs setup.py: make it a regular file of Python the interpreter can parse (at most 4 MiB for epi).' },
  EP681: { severity: 'error', category: 'setup.py', title: 'entry points computed when setup.py runs', hint: 'Write entry_points as a literal (a dict of lists of "name = module:function" strings, or INI text), or as a name bound once, at module level, to one; or declare them in pyproject.toml. Until then only the build knows them: lint the built wheel ("epi lint dist/*.whl").' },
  EP682: { severity: 'error', category: 'setup.py', title: 'entry_points of a type setuptools refuses', hint: 'entry_points is a dict mapping each group to a string or a list of strings ("name = module:function"), or INI text; setuptools fails the build on anything else.' },
  EP683: { severity: 'error', category: 'setup.py', title: 'entry point line setuptools cannot parse', hint: 'Every line is "name = value" (in INI text, under a "[group]" header); setuptools stops the build on anything else and drops lines before the first header.' },
  EP684: { severity: 'warning', category: 'setup.py', title: 'setup.py not read', hint: 'Give a Python 3.9+ interpreter with --python: epi parses setup.py with its ast module, without running it.' },
  EP685: { severity: 'info', category: 'setup.py', title: 'setup.py or setup.cfg not used by the build backend', hint: 'Only setuptools reads these files: declare the entry points in pyproject.toml ([project.scripts], [project.entry-points.<group>]), or remove the file.' },
  EP686: { severity: 'warning', category: 'project', title: 'entry points declared in two files, one ignored', hint: 'Declare entry points in one file: setuptools keeps one declaration whole and ignores the other.' },
  EP687: { severity: 'error', category: 'project', title: 'entry_points as INI text beside a [project] table', hint: 'setuptools fails the build (AttributeError) when setup.py or setup.cfg give entry_points as text and pyproject.toml has a [project] table that does not declare all three entry point fields: use the dict form (setup.cfg: [options.entry_points]), or move them into [project].' },
  EP688: { severity: 'warning', category: 'setup.py', title: 'group given twice in a dict', hint: 'Python keeps only the last value of a repeated key: merge the two into one list.' },

  // Environments
  EP650: { severity: 'warning', category: 'environment', title: 'entry point provided by several distributions', hint: 'Uninstall one of them: lookups by name take the first on the search path, and installers overwrite each other\'s scripts.' },
  EP651: { severity: 'warning', category: 'environment', title: 'several distributions of one name in one directory', hint: 'Remove the stale metadata directory (an interrupted upgrade or a manual copy left it); importlib.metadata may pick either.' },
  EP652: { severity: 'info', category: 'environment', title: 'distribution shadowed by an earlier path entry', hint: 'The earlier copy wins every lookup; uninstall the one you do not use.' },
  EP653: { severity: 'warning', category: 'environment', title: 'metadata directory without METADATA (leftover)', hint: 'Remove the leftover directory; importlib.metadata may choose it over the real distribution and lose its entry points.' },
  EP654: { severity: 'warning', category: 'environment', title: 'entry point module not found on the search path', hint: 'Reinstall the distribution, or remove its stale metadata; `epi check` imports it to be sure.' },

  // Input
  EP690: { severity: 'error', category: 'input', title: 'file cannot be read', hint: 'Check the path and its permissions.' },
} as const satisfies Record<string, LintRule>;

export type LintCode = keyof typeof LINT_CODES;

export interface Finding {
  /** A lint code (EP6xx) or a reader diagnostic code reported as it is. */
  readonly code: string;
  readonly severity: Severity;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly hint?: string;
  /** Portability: the readers that disagree with epindex's reading, and how. */
  readonly readers?: readonly ReaderClaim[];
}

export interface Where {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/** A finding with the code's fixed severity, hint and reader claims. */
export function finding(code: LintCode, message: string, where: Where = {}): Finding {
  const rule: LintRule = LINT_CODES[code];
  const f: { -readonly [K in keyof Finding]: Finding[K] } = { code, severity: rule.severity, message, hint: rule.hint };
  if (where.file !== undefined) f.file = where.file;
  if (where.line !== undefined) f.line = where.line;
  if (where.column !== undefined) f.column = where.column;
  if (rule.readers !== undefined) f.readers = rule.readers;
  return f;
}

/**
 * Fix hints for reader diagnostics reported as findings: package.json's (EP701–EP712, docs/spec.md
 * §13.1), which `epi lint package.json` reports, and the npm environment's (EP720–EP725), which
 * `epi diagnose --node --format sarif|github` reports. Written like the EP6xx hints.
 */
export const DIAGNOSTIC_HINTS: Partial<Record<DiagnosticCode, string>> = {
  EP701: 'Fix the JSON syntax and save the file as UTF-8 (a leading BOM is allowed); npm cannot read it either, and the package declares no entry points.',
  EP702: 'Check the path and its permissions: a package.json that cannot be read declares nothing.',
  EP703: 'Make "plugin-entry-points" an object of groups: { "myhost.plugins": { "name": "./target.js" } }.',
  EP704: 'Make each group an object mapping entry point names to targets: "myhost.plugins": { "name": "./target.js" }.',
  EP705: 'Group names are letters, digits and underscores in dot-separated parts (^\\w+(\\.\\w+)*$); name the group after the host package, e.g. "myhost.plugins".',
  EP706: 'An entry point name is non-empty, has no "=", does not start with "[" and does not start or end with whitespace; rename it.',
  EP707: 'Use letters, digits, "_", "." and "-" for names (the recommended [\\w.-]+); shells and Python\'s tools need quoting for anything else.',
  EP708: 'A target is a string: "." or "./sub/path", optionally followed by ":export.path", e.g. "./plugin.js:activate".',
  EP709: 'Write the target as "." or "./sub/path" of this package (no "..", no other package), optionally followed by ":export.path" of identifiers.',
  EP710: 'Give package.json a "name"; until then the package is known by its directory in node_modules.',
  EP711: 'Nothing to fix if the package is installed under an alias on purpose; otherwise install it under its own name.',
  EP712: 'Make package.json a regular file (not a FIFO or device) of at most 8 MiB.',
  EP713: 'No real package.json nests this deep: flatten it (npm and Node would read it, but a recursive reader overflows its stack).',
  EP720: 'The nearer package wins every lookup; remove or update the one you do not use.',
  EP721: 'Check the directory\'s permissions; packages in a directory that cannot be read are not found.',
  EP722: 'Remove or fix the symbolic link (npm ci, or pnpm install, recreates node_modules).',
  EP723: 'Run the host (or epi) through yarn (yarn node host.js, yarn exec epi list --node), or set nodeLinker: node-modules in .yarnrc.yml.',
  EP725: 'Remove the leftover directory, or reinstall the package it belonged to.',
};

/** The fix hint of a reader diagnostic code, when it has one. */
export function diagnosticHint(code: string): string | undefined {
  return Object.hasOwn(DIAGNOSTIC_HINTS, code) ? DIAGNOSTIC_HINTS[code as DiagnosticCode] : undefined;
}

/** A reader diagnostic as a finding (its code, severity and message unchanged), with its fix hint when the code has one. */
export function fromDiagnostic(d: Diagnostic): Finding {
  const f: { -readonly [K in keyof Finding]: Finding[K] } = { code: d.code, severity: d.severity, message: d.message };
  if (d.file !== undefined) f.file = d.file;
  if (d.line !== undefined) f.line = d.line;
  const hint = diagnosticHint(d.code);
  if (hint !== undefined) f.hint = hint;
  return f;
}

/** Title of any code the reporters may see. */
export function ruleTitle(code: string): string {
  if (code in LINT_CODES) return LINT_CODES[code as LintCode].title;
  if (code in DIAGNOSTIC_CODES) return DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES][1];
  return code;
}

export function isLintCode(code: string): code is LintCode {
  return code in LINT_CODES;
}


/** Order for output: by file, then line, then severity, then code. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
