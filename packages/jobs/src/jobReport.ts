import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Kafka } from 'kafkajs';
import type { StandardizeOptions } from '@idres/core';
import { buildReport, renderPdf, standardizationFlags } from '@idres/report';
import { errorMessage, type AvroSerde } from '@idres/runtime';
import { quarantineCounts } from '@idres/cli/src/quarantineCounts';
import type { Job, JobOutput } from './job';
import { allRejections, type JobStore } from './jobStore';
import type { RowSource } from './rowSource';

export interface JobReportOptions {
  pool: pg.Pool;
  kafka: Kafka;
  serde: AvroSerde;
  store: JobStore;
  job: Job;
  source: RowSource;
  standardize: StandardizeOptions;
  /** Headless Chromium for the PDF; without one the HTML is written and the PDF output says why it is missing. */
  chromium: string;
}

/** The job's refused rows by reason code (the text before the first colon), as the report's `rejected` rows. */
async function jobRejections(store: JobStore, id: string): Promise<Array<{ stage: string; code: string; count: number }>> {
  const counts = new Map<string, number>();
  for await (const r of allRejections(store, id)) {
    const code = /^[A-Z][A-Z0-9_]+(?=:)/.exec(r.reason)?.[0] ?? 'INPUT_INVALID';
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([code, count]) => ({ stage: 'job', code, count }));
}

/**
 * The data-quality report of a job (report.html, and report.pdf where Chromium is installed): what the deployment
 * holds once the job's records are resolved, with the job's own refused rows, the pipeline's quarantine and the
 * standardization flags of the job's input (they are not stored with resolved records, so the input is read again).
 */
export async function writeJobReport(o: JobReportOptions): Promise<JobOutput[]> {
  const { job, source } = o;
  mkdirSync(job.outputDir, { recursive: true });
  const flags = await standardizationFlags((async function* () {
    for await (const row of source.rows()) yield { source: source.source, fields: Object.fromEntries(Object.entries(source.mapping).map(([f, col]) => [f, row[col] ?? ''])) };
  })(), o.standardize);
  const rejected = [...await jobRejections(o.store, job.id), ...await quarantineCounts(o.kafka, o.serde)];
  const what = job.spec.input ? path.basename(job.spec.input.path) : `${job.spec.generate?.records ?? 0} generated records`;
  const html = await buildReport({ pool: o.pool, title: `idres job ${job.id}: ${what}`, rejected, flags });
  const htmlFile = path.join(job.outputDir, 'report.html');
  writeFileSync(htmlFile, html);
  const outputs: JobOutput[] = [{ kind: 'report', path: 'report.html', bytes: Buffer.byteLength(html) }];
  if (!existsSync(o.chromium)) {
    outputs.push({ kind: 'report', note: `no PDF: no Chromium at ${o.chromium} (apt-get install chromium, or set IDRES_CHROMIUM)` });
    return outputs;
  }
  const pdfFile = path.join(job.outputDir, 'report.pdf');
  try {
    await renderPdf(html, pdfFile, { chromium: o.chromium });
    outputs.push({ kind: 'report', path: 'report.pdf', bytes: statSync(pdfFile).size, note: 'executive summary (the HTML report printed by headless Chromium)' });
  } catch (err) {
    // The HTML is the report; a browser that fails to start must not fail a job whose records are all resolved.
    outputs.push({ kind: 'report', note: `no PDF: ${errorMessage(err)}` });
  }
  return outputs;
}
