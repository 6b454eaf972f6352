import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ReportData } from './reportData';

/** Chart.js's UMD build, read once from node_modules: the report carries it inline, so it opens without a network. */
let chartJs: string | undefined;
function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package exports only its module entry points; the UMD build sits beside the CommonJS one in dist/.
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON inside a <script>: `<` escaped so no value can close the element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
const fmt = (n: number): string => n.toLocaleString('en-US');

interface ChartSpec {
  id: string;
  title: string;
  note?: string;
  config: unknown;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c', '#0d9488', '#9333ea'];

/** The charts of the report, as Chart.js configurations (plain data: the page builds them with the inlined library). */
export function reportCharts(d: ReportData): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const bar = (labels: Array<string | number>, datasets: Array<{ label: string; data: number[]; color?: string; stack?: string }>, opts: Record<string, unknown> = {}) => ({
    type: 'bar',
    data: { labels, datasets: datasets.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: s.color ?? PALETTE[i % PALETTE.length], ...(s.stack ? { stack: s.stack } : {}) })) },
    options: { animation: false, responsive: false, plugins: { legend: { display: datasets.length > 1 } }, ...opts },
  });
  const rejectedTotal = d.rejected.reduce((s, r) => s + r.count, 0);
  charts.push({
    id: 'records', title: 'Records in, and rejected by reason',
    note: `${fmt(d.records.total)} records held in ${fmt(d.records.identities)} identities; ${fmt(rejectedTotal)} quarantined.`,
    config: bar([...d.records.bySource.map((s) => `in: ${s.source}`), ...d.rejected.map((r) => `rejected: ${r.stage} ${r.code}`)],
      [{ label: 'records', data: [...d.records.bySource.map((s) => s.records), ...d.rejected.map((r) => r.count)] }], { indexAxis: 'y' }),
  });
  charts.push({
    id: 'completeness', title: 'Field completeness by source (% of records with a value)',
    config: bar(d.completeness.fields, d.completeness.bySource.map((s) => ({ label: s.source, data: s.filled.map((f) => (s.records > 0 ? Math.round((1000 * f) / s.records) / 10 : 0)) })),
      { scales: { y: { min: 0, max: 100 } } }),
  });
  if (d.flags.length > 0) {
    const codes = [...new Set(d.flags.map((f) => f.code))].sort();
    const keys = [...new Set(d.flags.map((f) => `${f.source} ${f.field}`))].sort();
    charts.push({
      id: 'flags', title: 'Standardization flags by source and field',
      config: bar(keys, codes.map((c) => ({ label: c, stack: 'flags', data: keys.map((k) => d.flags.filter((f) => `${f.source} ${f.field}` === k && f.code === c).reduce((s, f) => s + f.count, 0)) })),
        { scales: { x: { stacked: true }, y: { stacked: true } } }),
    });
  }
  if (d.outliers.length > 0) {
    charts.push({
      id: 'outliers', title: 'Value-frequency outliers: one value held by many identities (values masked)',
      config: bar(d.outliers.map((o) => `${o.field} ${o.value}`), [{ label: 'identities', data: d.outliers.map((o) => o.identities) }, { label: 'records', data: d.outliers.map((o) => o.records) }], { indexAxis: 'y' }),
    });
  }
  const t = d.weights.thresholdWeight;
  charts.push({
    id: 'weights', title: 'Match weights of scored pairs (bits)',
    note: t === null ? 'No active stored model: threshold unknown.' : `Threshold: match weight ${t.toFixed(2)} (probability ${d.model?.threshold}); bars in the threshold's bin are marked.`,
    config: bar(d.weights.bins.map((b) => `${b.from}…${b.from + d.weights.binWidth}`), [
      { label: 'links (at or above the threshold)', data: d.weights.bins.map((b) => b.links), color: '#2563eb', stack: 'w' },
      { label: 'evidence pairs (below)', data: d.weights.bins.map((b) => b.evidence), color: '#94a3b8', stack: 'w' },
      ...(t === null ? [] : [{ label: 'threshold bin', data: d.weights.bins.map((b) => (t >= b.from && t < b.from + d.weights.binWidth ? Math.max(...d.weights.bins.map((x) => x.links + x.evidence)) : 0)), color: 'rgba(220,38,38,0.25)', stack: 't' }]),
    ], { scales: { x: { stacked: true }, y: { stacked: true } } }),
  });
  charts.push({ id: 'clusters', title: 'Identities by number of records', config: bar(d.clusterSizes.map((c) => c.size), [{ label: 'identities', data: d.clusterSizes.map((c) => c.count) }], { scales: { y: { type: 'logarithmic' } } }) });
  charts.push({ id: 'decisive', title: 'The comparisons that decide most links (largest weight in the link)', config: bar(d.decisive.map((x) => x.comparison), [{ label: 'links', data: d.decisive.map((x) => x.links) }], { indexAxis: 'y' }) });
  charts.push({ id: 'households', title: 'Households by number of identities', config: bar(d.householdSizes.map((h) => h.size), [{ label: 'households', data: d.householdSizes.map((h) => h.count) }]) });
  d.sampleLinks.forEach((l, i) => {
    // Waterfall: each term a floating bar from the running total before it to the total after it.
    let run = 0;
    const spans = l.terms.map((term) => { const from = run; run += term.weight; return [Math.round(from * 100) / 100, Math.round(run * 100) / 100]; });
    charts.push({
      id: `waterfall${i}`, title: `Link ${i + 1}: match weight ${l.matchWeight.toFixed(2)}, probability ${l.probability.toFixed(4)}`,
      note: 'Terms in order, from the prior; each bar moves the running match weight by the term\'s weight.',
      config: {
        type: 'bar',
        data: { labels: [...l.terms.map((x) => `${x.comparison}: ${x.level}`), 'total'], datasets: [{ label: 'match weight', data: [...spans, [0, Math.round(run * 100) / 100]], backgroundColor: [...l.terms.map((x) => (x.weight >= 0 ? '#16a34a' : '#dc2626')), '#2563eb'] }] },
        options: { animation: false, responsive: false, plugins: { legend: { display: false } } },
      },
    });
  });
  return charts;
}

/** The whole report as one HTML document: styles, data, Chart.js and the code that draws the charts, all inline. */
export function renderReport(d: ReportData): string {
  const charts = reportCharts(d);
  const m = d.model;
  const modelHtml = m
    ? `<table><tr><th>version</th><td>${m.version} (${escapeHtml(m.kind)})</td></tr><tr><th>description</th><td>${escapeHtml(m.description)}</td></tr>
       <tr><th>created</th><td>${escapeHtml(m.createdAt)}</td></tr><tr><th>trained on</th><td>${m.trainedOn.records === null ? '' : `${fmt(m.trainedOn.records)} records, `}${escapeHtml(m.trainedOn.description)}</td></tr>
       <tr><th>training</th><td>${escapeHtml(m.trainedOn.method)}</td></tr><tr><th>threshold</th><td>${m.threshold ?? ''}</td></tr>
       <tr><th>comparisons</th><td>${m.comparisons.map(escapeHtml).join(', ')}</td></tr></table>`
    : '<p>No stored model is active: block and match used the shipped default or a pinned file.</p>';
  const sections = charts.map((c) => `<section><h2>${escapeHtml(c.title)}</h2>${c.note ? `<p class="note">${escapeHtml(c.note)}</p>` : ''}<canvas id="${c.id}" width="900" height="${c.id.startsWith('waterfall') ? 260 : 320}"></canvas></section>`).join('\n');
  const links = d.sampleLinks.map((l, i) => `<tr><td>${i + 1}</td><td>${escapeHtml(l.a)}</td><td>${escapeHtml(l.b)}</td><td>${l.matchWeight.toFixed(2)}</td><td>${l.probability.toFixed(4)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(d.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#0f172a}
h1{font-size:22px}h2{font-size:16px;margin:24px 0 4px}.note{color:#475569;margin:0 0 8px}
table{border-collapse:collapse}th,td{border:1px solid #cbd5e1;padding:3px 8px;text-align:left;vertical-align:top}
section{page-break-inside:avoid}.summary td{font-variant-numeric:tabular-nums}
</style></head><body>
<h1>${escapeHtml(d.title)}</h1>
<p class="note">Generated ${escapeHtml(d.generatedAt)} by idres. Self-contained: opens without a network.</p>
<table class="summary"><tr><th>records</th><td>${fmt(d.records.total)}</td><th>identities</th><td>${fmt(d.records.identities)}</td>
<th>households</th><td>${fmt(d.householdSizes.reduce((s, h) => s + h.count, 0))}</td><th>quarantined</th><td>${fmt(d.rejected.reduce((s, r) => s + r.count, 0))}</td></tr></table>
<h2>The model used</h2>${modelHtml}
${sections}
<h2>Sampled links</h2><table><tr><th>#</th><th>record</th><th>record</th><th>match weight</th><th>probability</th></tr>${links}</table>
<script>${chartJsSource()}</script>
<script id="report-charts" type="application/json">${scriptJson(charts.map((c) => ({ id: c.id, config: c.config })))}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  window.idresCharts = specs.map(function (s) { return new Chart(document.getElementById(s.id), s.config); });
  document.body.setAttribute('data-charts-rendered', String(window.idresCharts.length));
})();
</script>
</body></html>
`;
}
