'use strict';
/**
 * The floor of a warm cached lookup (`npm run bench`, never by hand): the least a process can do
 * to print what `epi list --group G --path DIR --json` prints from a warm cache. It stats the
 * directory, opens the cache file without following links, stats it, reads the header, reads
 * that group's section by offset, parses both, and prints the same JSON (same members, same
 * distribution objects). It checks nothing — no trust, no checksums, no freshness — so the
 * difference between it and `epi` is what epindex's checks and code cost on top of the I/O,
 * parsing and output that any reader of this file must pay.
 *
 * argv: DIR GROUP
 */
const fs = require('node:fs');

const [dir, group] = process.argv.slice(2);
fs.statSync(dir);
const fd = fs.openSync(`${dir}/.epindex/entry-points.v3.jsonl`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
fs.fstatSync(fd);
const head = Buffer.allocUnsafe(65536);
const got = fs.readSync(fd, head, 0, head.length, 0);
const nl = head.subarray(0, got).indexOf(10);
const header = JSON.parse(head.toString('utf8', 0, nl));
const ref = header.sections['g:' + group];
const entryPoints = [];
if (ref !== undefined) {
  const bytes = Buffer.allocUnsafe(ref[1]);
  fs.readSync(fd, bytes, 0, ref[1], nl + 1 + ref[0]);
  const { dists: d, eps: e } = JSON.parse(bytes.toString('utf8', 0, ref[1] - 1));
  const dists = d.child.map((child, k) => ({ name: d.name[k], normalizedName: d.normalizedName[k], version: d.version[k], metadataPath: `${dir}/${child}`, pathEntry: dir, layout: d.layout[k], hasMetadata: d.real[k] === 1 }));
  for (let j = 0; j < e.name.length; j++) {
    const value = e.value[j];
    const r = e.ref[j];
    let module = null;
    let attr = null;
    let extras = [];
    if (r === 0) {
      const colon = value.indexOf(':');
      module = colon < 0 ? value : value.slice(0, colon);
      attr = colon < 0 ? null : value.slice(colon + 1);
    } else if (Array.isArray(r)) {
      [module, attr, extras] = r;
    }
    const ep = { group, name: e.name[j], value, module, attr, extras, valid: typeof r !== 'string', dist: dists[e.dist[j]] };
    if (typeof r === 'string') ep.problem = r;
    entryPoints.push(ep);
  }
}
fs.closeSync(fd);
const out = Buffer.from(JSON.stringify({ environment: { source: 'path-option', searchPath: [dir] }, entryPoints, diagnostics: [] }) + '\n');
for (let at = 0; at < out.length; ) at += fs.writeSync(1, out, at);
