// The sweep page of the HTML report: Pareto charts (tokens/s/GPU vs tokens/s/user, goodput vs GPUs)
// with every point as a dot and the frontier as a line, the SLA ranking and the max-load table, from
// a sweep folder's answers.json (plain data; every string escaped, non-numbers shown as text).
import { domainOf, makeScale, ticksFor, xAxisSvg, yAxisSvg, type Box } from './axes.ts';
import { legendRow } from './svg.ts';
import { page } from './page.ts';
import { dig, esc, fixed, num } from './text.ts';


const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A scatter of one Pareto set: every point a grey dot (its label on hover), the frontier red dots
 *  joined by a line in x order; d3-scale axes from axes.ts. */
function paretoChart(set: unknown, o: { id: string; title: string; xLabel: string; yLabel: string }): string {
  const pts = arr(set)
    .map((p) => ({ x: num(dig(p, 'x')), y: num(dig(p, 'y')), frontier: dig(p, 'frontier') === true, label: dig(p, 'label') }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const W = 570;
  const H = 360;
  const box: Box = { left: 62, right: W - 16, top: 44, bottom: H - 40 };
  const head = `<svg class="chart" data-chart="${esc(o.id)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}"><text x="${W / 2}" y="17" text-anchor="middle" class="title">${esc(o.title)}</text>`;
  if (pts.length === 0) return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`;
  const pad = (d: [number, number]): [number, number] => [d[0] - (d[1] - d[0]) * 0.05, d[1] + (d[1] - d[0]) * 0.05];
  const x = makeScale(pad(domainOf(pts.map((p) => p.x), false)), [box.left, box.right], false);
  const y = makeScale(pad(domainOf(pts.map((p) => p.y), false)), [box.bottom, box.top], false);
  const out = [head, legendRow([{ label: 'dominated', color: '#9a9a9a' }, { label: 'Pareto frontier', color: '#d62728' }], box.left, 34, box.right - box.left)];
  out.push(xAxisSvg(x, ticksFor(x, false, box.right - box.left), box), yAxisSvg(y, ticksFor(y, false, box.bottom - box.top, true), box));
  out.push(`<text x="${(box.left + box.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(o.xLabel)}</text>`, `<text transform="translate(13 ${(box.top + box.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  const front = pts.filter((p) => p.frontier).sort((a, b) => a.x - b.x);
  if (front.length > 1) out.push(`<path class="line" data-series="Pareto frontier" d="M${front.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join('L')}" fill="none" stroke="#d62728" stroke-width="1.5"/>`);
  for (const p of [...pts.filter((q) => !q.frontier), ...front]) {
    out.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="${p.frontier ? 4.5 : 3.5}" fill="${p.frontier ? '#d62728' : '#9a9a9a'}" fill-opacity="0.85"><title>${esc(`${String(p.label ?? '')}: ${fixed(p.x)}, ${fixed(p.y)}`)}</title></circle>`);
  }
  out.push('</svg>');
  return out.join('');
}

function frontierTable(set: unknown, xHead: string, yHead: string): string {
  const rows = arr(set).filter((p) => dig(p, 'frontier') === true);
  return `<table data-table="frontier"><thead><tr><th>point</th><th>${esc(xHead)}</th><th>${esc(yHead)}</th></tr></thead><tbody>${rows
    .map((p) => `<tr><th>${esc(dig(p, 'label'))}</th><td>${fixed(dig(p, 'x'))}</td><td>${fixed(dig(p, 'y'))}</td></tr>`)
    .join('')}</tbody></table>`;
}

function cheapestTables(data: unknown): string {
  return arr(dig(data, 'cheapest'))
    .map((level) => {
      const ranked = arr(dig(level, 'ranked'));
      const head = `<h3>traffic ${esc(dig(level, 'traffic') || 'base')}: ${ranked.length} of ${fixed(dig(level, 'points'), 0)} deployments meet the SLA</h3>`;
      if (ranked.length === 0) return head;
      const slaKeys = Object.keys((dig(ranked[0], 'sla') as Record<string, unknown>) ?? {});
      const depKeys = Object.keys((dig(ranked[0], 'deployment') as Record<string, unknown>) ?? {});
      const th = ['rank', ...depKeys, 'GPUs', '$/Mtok', ...slaKeys, 'tok/s/GPU', 'tok/s/user'].map((h) => `<th>${esc(h)}</th>`).join('');
      const body = ranked
        .map((r, i) => `<tr><td>${i + 1}</td>${depKeys.map((k) => `<td>${esc(dig(r, 'deployment', k))}</td>`).join('')}<td>${fixed(dig(r, 'gpus'), 0)}</td><td>${fixed(dig(r, 'costPerMillionUsd'))}</td>${slaKeys.map((k) => `<td>${fixed((dig(r, 'sla') as Record<string, unknown>)[k])}</td>`).join('')}<td>${fixed(dig(r, 'outputTokensPerGpu'))}</td><td>${fixed(dig(r, 'outputTokensPerUser'))}</td></tr>`)
        .join('');
      return `${head}<table data-table="cheapest"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
    })
    .join('\n');
}

function maxLoadTable(data: unknown): string {
  const rows = arr(dig(data, 'maxLoad'));
  if (rows.length === 0) return '';
  const cols = [...new Set(rows.flatMap((r) => Object.keys((dig(r, 'inputs') as Record<string, unknown>) ?? {})))];
  const key = dig(rows[0], 'key');
  const cell = (r: unknown) => (dig(r, 'status') === 'below' ? `&lt; ${fixed(dig(r, 'low'))}` : dig(r, 'status') === 'above' ? `≥ ${fixed(dig(r, 'high'))}` : fixed(dig(r, 'value')));
  return `<h2>Max sustainable ${esc(key)} under the SLA</h2><p class="notes">Bisection on the lattice low + k·tolerance (tolerance ${fixed(dig(rows[0], 'tolerance'))}); the true limit lies below the next lattice value.</p><table data-table="max-load"><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}<th>max ${esc(key)}</th></tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${esc(dig(r, 'inputs', c))}</td>`).join('')}<td>${cell(r)}</td></tr>`)
    .join('')}</tbody></table>`;
}

export function renderSweepReport(data: unknown, title = 'servesim sweep'): string {
  const sla = dig(data, 'sla');
  const charts = [
    paretoChart(dig(data, 'pareto', 'throughputVsInteractivity'), { id: 'pareto-throughput', title: 'Output tokens/s/GPU vs tokens/s/user', xLabel: 'output tokens/s/user (AIPerf output_token_throughput_per_user, mean)', yLabel: 'output tokens/s/GPU' }),
    paretoChart(dig(data, 'pareto', 'goodputVsGpus'), { id: 'pareto-goodput', title: 'Goodput vs GPUs', xLabel: 'GPUs', yLabel: 'goodput (req/s)' }),
  ];
  return page(
    title,
    `<p>SLA: ${sla ? esc(sla) : 'none'}; means over ${fixed(dig(data, 'seeds'), 0)} seed(s) per point.</p>
<h2>Pareto frontiers</h2>
<div class="charts">${charts.join('\n')}</div>
${frontierTable(dig(data, 'pareto', 'throughputVsInteractivity'), 'tok/s/user', 'tok/s/GPU')}
<h2>Cheapest deployments meeting the SLA, per traffic level</h2>
${sla ? cheapestTables(data) : '<p>no SLA given</p>'}
${maxLoadTable(data)}
<p class="notes">Generated by servesim from the sweep folder's answers.json.</p>`,
  );
}
