/**
 * A wheel's entry points: `*.dist-info/entry_points.txt` read from the zip, and the check
 * that RECORD lists it with the right hash and size (the wheel spec; what pip and uv verify).
 */
import { createHash, getHashes } from 'node:crypto';
import { splitStem } from '../python/discover.js';
import { openArchive, ArchiveError } from './archive.js';
import { finding, type Finding } from './findings.js';

export interface WheelEntryPoints {
  /** `NAME-VERSION.dist-info`, or null when the wheel has no single one. */
  readonly distInfo: string | null;
  readonly name: string | null;
  readonly version: string | null;
  /** entry_points.txt's bytes; null when absent (or the wheel cannot be read). */
  readonly entryPoints: Uint8Array | null;
  /** Where findings about entry_points.txt point: `wheel.whl/NAME.dist-info/entry_points.txt`. */
  readonly entryPointsFile: string;
  readonly findings: Finding[];
}

/** Python's csv reader (default dialect) for one RECORD line: commas, double quotes, "" escapes. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  let field = '';
  let quoted = false;
  while (i <= line.length) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      if (c === undefined) break;
      field += c; i++;
      continue;
    }
    if (c === undefined || c === ',') { out.push(field); field = ''; i++; continue; }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    field += c; i++;
  }
  return out;
}

const FORBIDDEN_HASHES = new Set(['md5', 'sha1']);

/** Read a wheel's entry points and check RECORD. Never throws for what the file contains. */
export function readWheel(file: string): WheelEntryPoints {
  const findings: Finding[] = [];
  const none = (distInfo: string | null = null): WheelEntryPoints => ({ distInfo, name: null, version: null, entryPoints: null, entryPointsFile: file, findings });
  let archive;
  try {
    archive = openArchive(file);
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    findings.push(finding('EP640', `the wheel ${e.message}`, { file }));
    return none();
  }
  try {
    const distInfos = [...new Set(archive.names.map((n) => n.split('/')[0]!).filter((top) => top.toLowerCase().endsWith('.dist-info')))];
    if (distInfos.length !== 1) {
      findings.push(finding('EP641', distInfos.length === 0 ? 'the wheel has no .dist-info directory' : `the wheel has ${distInfos.length} .dist-info directories: ${distInfos.join(', ')}`, { file }));
      return none();
    }
    const distInfo = distInfos[0]!;
    const { name, version } = splitStem(distInfo.slice(0, -'.dist-info'.length));
    const member = `${distInfo}/entry_points.txt`;
    const entryPointsFile = `${file}/${member}`;
    const entryPoints = archive.read(member) ?? null;
    const result = (): WheelEntryPoints => ({ distInfo, name, version, entryPoints, entryPointsFile, findings });
    if (entryPoints === null) return result();
    const record = archive.read(`${distInfo}/RECORD`);
    const recordFile = `${file}/${distInfo}/RECORD`;
    if (record === undefined) {
      findings.push(finding('EP642', `the wheel has no ${distInfo}/RECORD`, { file }));
      return result();
    }
    const lines = new TextDecoder().decode(record).split(/\r\n|\n|\r/);
    const index = lines.findIndex((l) => csvFields(l)[0] === member);
    if (index < 0) {
      findings.push(finding('EP643', `RECORD does not list ${member}`, { file: recordFile }));
      return result();
    }
    const [, hash = '', size = ''] = csvFields(lines[index]!);
    const at = { file: recordFile, line: index + 1 };
    const eq = hash.indexOf('=');
    const algorithm = eq < 0 ? '' : hash.slice(0, eq).toLowerCase();
    if (eq < 0 || FORBIDDEN_HASHES.has(algorithm) || !getHashes().includes(algorithm)) {
      findings.push(finding('EP646', hash === '' ? `RECORD lists ${member} without a hash` : `RECORD hash ${JSON.stringify(hash)} of ${member} uses no allowed algorithm`, at));
    } else {
      const actual = createHash(algorithm).update(entryPoints).digest('base64url');
      const recorded = hash.slice(eq + 1).replace(/=+$/, '');
      if (actual !== recorded) findings.push(finding('EP644', `RECORD says ${algorithm}=${recorded} for ${member}, its content hashes to ${algorithm}=${actual}`, at));
    }
    if (size !== '' && size !== String(entryPoints.length)) findings.push(finding('EP645', `RECORD says ${member} has ${size} bytes, it has ${entryPoints.length}`, at));
    return result();
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    findings.push(finding('EP640', `the wheel's ${e.message}`, { file }));
    return none();
  } finally {
    archive.close();
  }
}
