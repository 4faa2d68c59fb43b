/**
 * SVG charts, one per workload (and one for the cold page cache): time vs number of
 * distributions, log–log, median with min–max bars, the real environment as a diamond. Rendered
 * headlessly with vega-lite → vega (no browser, no canvas: the SVG renderer needs neither).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Results } from './report.js';

/**
 * Without a canvas, vega estimates text at 0.8 em per character, which makes legends and the
 * SVG far wider than the text and truncates long labels. Estimate with approximate Helvetica
 * advance widths instead (the fonts are sans-serif; a browser measures for itself anyway).
 */
const NARROW = new Set([...'ijlftrI.,:;!|()[]\'"` ']);
const WIDE = new Set([...'mwMW@%']);
function advance(ch: string): number {
  if (NARROW.has(ch)) return 0.3;
  if (WIDE.has(ch)) return 0.85;
  if (ch >= 'A' && ch <= 'Z') return 0.7;
  return 0.6;
}
((vega as unknown as { textMetrics: { width: unknown } }).textMetrics as { width: (item: { text?: unknown; fontSize?: number }, text?: unknown) => number }).width = (item, text) => {
  const t = text ?? item.text;
  const lines = Array.isArray(t) ? t.map(String) : [String(t ?? '')];
  const size = item.fontSize ?? 11;
  return Math.ceil(Math.max(...lines.map((l) => [...l].reduce((a, ch) => a + advance(ch), 0))) * size);
};

const COLORS: Record<string, string> = {
  'epindex-auto': '#08306b',
  'epindex-listing': '#2171b5',
  'epindex-scan': '#6baed6',
  'importlib.metadata': '#e6550d',
  importlib_metadata: '#fdae6b',
  pkg_resources: '#d62728',
  'stevedore-cold': '#6a3d9a',
  'stevedore-warm': '#b59ddb',
  entrypoints: '#8c564b',
  pluggy: '#2ca02c',
  'node-start': '#969696',
  'python-start': '#525252',
};

export interface Chart {
  readonly workload: string;
  readonly file: string;
  readonly title: string;
}

export async function renderCharts(r: Results, dir: string): Promise<Chart[]> {
  const out: Chart[] = [];
  const m = r.machine as { cpuModel: string; cores: number; node: string; python: string };
  const envs = new Map(r.environments.map((e) => [e.id, e]));
  for (const w of r.workloads) {
    for (const page of ['warm', 'cold'] as const) {
      const cells = r.cells.filter((c) => c.workload === w.id && c.pageCache === page);
      if (cells.length < 2) continue; // a chart over sizes needs two (the import workload has one)
      const rows = cells.flatMap((c) =>
        c.variants.map((v) => ({
          id: v.id,
          tool: v.label,
          distributions: c.distributions,
          kind: envs.get(c.env)?.kind ?? 'synthetic',
          median: v.median,
          min: v.min,
          max: v.max,
        })),
      );
      const order = r.variants.map((v) => v.id).filter((id) => rows.some((x) => x.id === id));
      const labelOf = (id: string): string => rows.find((x) => x.id === id)!.tool;
      const domain = order.map(labelOf);
      const range = order.map((id) => COLORS[id] ?? '#000000');
      const xs = [...new Set(rows.map((x) => x.distributions))].sort((a, b) => a - b);
      const title = `${w.title}${page === 'cold' ? ' — cold page cache' : ''}`;
      const color = { field: 'tool', type: 'nominal' as const, title: null, scale: { domain, range }, legend: { orient: 'right' as const, labelLimit: 400, symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 200 } };
      const x = { field: 'distributions', type: 'quantitative' as const, scale: { type: 'log' as const, domain: [Math.min(...xs) * 0.8, Math.max(...xs) * 1.25], nice: false }, axis: { values: xs, format: ',d', title: 'distributions in the directory (log scale; ◆ = the real environment)', grid: true } };
      const y = { field: 'median', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: { title: 'time, ms (log scale)', grid: true } };
      const spec: TopLevelSpec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 560,
        height: 400,
        background: 'white',
        padding: { left: 12, top: 12, bottom: 12, right: 36 },
        title: {
          text: title,
          subtitle: [`median of ${Math.min(...cells.map((c) => c.reps))}–${Math.max(...cells.map((c) => c.reps))} repetitions, bars min–max; ${m.cpuModel}, ${m.cores} cores; Node ${m.node}, Python ${m.python}; ${r.mode} run ${r.startedAt.slice(0, 10)}`],
          anchor: 'start',
          fontSize: 15,
          subtitleFontSize: 11,
        },
        data: { values: rows },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: { field: 'min', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'max' }, color } },
          { transform: [{ filter: "datum.kind === 'synthetic'" }], mark: { type: 'line', point: { size: 28, filled: true }, strokeWidth: 2 }, encoding: { x, y, color, tooltip: [{ field: 'tool' }, { field: 'distributions' }, { field: 'median', format: '.3f' }] } },
          { transform: [{ filter: "datum.kind === 'real'" }], mark: { type: 'point', shape: 'diamond', filled: true, size: 90, opacity: 1 }, encoding: { x, y, color } },
        ],
        config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
      };
      const compiled = compile(spec).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      const svg = await view.toSVG();
      view.finalize();
      const file = path.join(dir, `${w.id}${page === 'cold' ? '-cold' : ''}.svg`);
      fs.writeFileSync(file, svg);
      out.push({ workload: w.id, file, title });
    }
  }
  return out;
}
