import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, maskValue, renderPdf, renderReport, type ReportData } from '../src/index';

const data: ReportData = {
  title: 'test report', generatedAt: '2026-12-02T00:00:00.000Z',
  records: { total: 1200, identities: 900, bySource: [{ source: 'crm', records: 1000 }, { source: 'web', records: 200 }] },
  rejected: [{ stage: 'standardize', code: 'NAME_INVALID', count: 7 }],
  completeness: { fields: ['given_name', 'ssn'], bySource: [{ source: 'crm', records: 1000, filled: [990, 700] }, { source: 'web', records: 200, filled: [200, 0] }] },
  flags: [{ source: 'crm', field: 'phone', code: 'NORMALIZED', count: 800 }, { source: 'crm', field: 'ssn', code: 'PLACEHOLDER', count: 12 }],
  outliers: [{ field: 'ssn', value: maskValue('000000000'), records: 40, identities: 31 }, { field: 'phone', value: maskValue('+12125550100'), records: 300, identities: 250 }],
  weights: { binWidth: 2, thresholdWeight: 3.2, bins: [{ from: -4, links: 0, evidence: 40 }, { from: 2, links: 10, evidence: 5 }, { from: 10, links: 300, evidence: 0 }] },
  clusterSizes: [{ size: 1, count: 700 }, { size: 2, count: 150 }, { size: 5, count: 3 }],
  decisive: [{ comparison: 'ssn', links: 200 }, { comparison: 'dob', links: 80 }],
  householdSizes: [{ size: 2, count: 40 }, { size: 4, count: 9 }],
  sampleLinks: [{ a: 'crm:1', b: 'web:9', probability: 0.97, matchWeight: 5.1, terms: [{ comparison: 'prior', level: '', weight: -8 }, { comparison: 'ssn', level: 'exact', weight: 12 }, { comparison: 'dob', level: 'exact', weight: 1.1 }] }],
  model: { version: 3, kind: 'trained', description: 'people.csv', createdAt: '2026-12-01T00:00:00.000Z', threshold: 0.9, comparisons: ['ssn', 'dob'], trainedOn: { records: 1200, description: 'unsupervised', method: 'EM' } },
};

test('maskValue keeps the shape, not the value', () => {
  assert.equal(maskValue('000000000'), '00•••••00');
  assert.equal(maskValue('abc'), '•••');
});

test('the report is one self-contained file: no external script, style or image', () => {
  const html = renderReport(data);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/i);
  assert.match(html, /Chart\.js v4/, 'Chart.js is inlined');
  assert.doesNotMatch(html, /000000000/, 'outlier values are masked');
});

/** What the test reads of the page's charts (the repository compiles without the DOM library). */
interface CanvasLike { id: string; width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null }
interface PageCharts { idresCharts: Array<{ canvas: CanvasLike; data: { datasets: Array<{ data: unknown[] }> } }> }

const haveChromium = existsSync(chromiumPath());
test('headless Chromium draws every chart of the report with its data, and prints it to PDF', { skip: haveChromium ? false : `no Chromium at ${chromiumPath()}`, timeout: 120_000 }, async () => {
  const html = renderReport(data);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    // No network: any request the page tried would fail the test.
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url()); });
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 30_000 });
    const charts = await page.evaluate(() => {
      const w = globalThis as unknown as PageCharts;
      return w.idresCharts.map((c) => {
        const ctx = c.canvas.getContext('2d')!;
        const px = ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
        return { id: c.canvas.id, width: c.canvas.width, height: c.canvas.height, datasets: c.data.datasets.length, points: c.data.datasets.reduce((s, d) => s + d.data.length, 0), painted };
      });
    });
    assert.deepEqual(charts.map((c) => c.id), ['records', 'completeness', 'flags', 'outliers', 'weights', 'clusters', 'decisive', 'households', 'waterfall0']);
    for (const c of charts) {
      assert.ok(c.width > 0 && c.height > 0, `${c.id} has a size`);
      assert.ok(c.datasets > 0 && c.points > 0, `${c.id} holds data`);
      assert.ok(c.painted > 1000, `${c.id} is drawn (${c.painted} painted pixels)`);
    }
    const waterfall = await page.evaluate(() => (globalThis as unknown as PageCharts).idresCharts.find((c) => c.canvas.id === 'waterfall0')!.data.datasets[0]!.data);
    assert.deepEqual(waterfall, [[0, -8], [-8, 4], [4, 5.1], [0, 5.1]], 'the waterfall runs from the prior to the match weight');
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
  const pdf = path.join(mkdtempSync(path.join(tmpdir(), 'idres-report-')), 'report.pdf');
  await renderPdf(html, pdf);
  const bytes = readFileSync(pdf);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(bytes.length > 20_000, `the PDF holds the drawn charts (${bytes.length} bytes)`);
});
