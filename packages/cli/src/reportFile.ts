import { writeFileSync } from 'node:fs';
import type { StandardizeOptions } from '@idres/core';
import { buildReport, renderPdf, standardizationFlags } from '@idres/report';
import { AvroSerde, createKafka, createLogger, readBaseConfig } from '@idres/runtime';
import { fileRows } from './fileRows';
import { quarantineCounts } from './quarantineCounts';

export interface ReportFileOptions {
  out: string;
  pdf?: string | undefined;
  title?: string | undefined;
  /** The input file again, to count standardization flags (they are not stored with resolved records). */
  input?: { file: string; map: Record<string, string>; source: string; standardize: StandardizeOptions } | undefined;
}

/** Writes the data-quality report of what the deployment holds (and its PDF); returns the HTML's size in bytes. */
export async function writeReportFile(opts: ReportFileOptions, env: Record<string, string>, log: (m: string) => void): Promise<number> {
  const cfg = readBaseConfig(env, 'cli');
  const kafka = createKafka({ clientId: 'idres-cli', brokers: cfg.kafkaBrokers, logger: createLogger('idres-cli', 'warn'), security: cfg.kafkaSecurity });
  const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
  const input = opts.input;
  const flags = input === undefined ? undefined : await standardizationFlags((async function* () {
    for await (const row of fileRows(input.file)) yield { source: input.source, fields: Object.fromEntries(Object.entries(input.map).map(([f, col]) => [f, row[col] ?? ''])) };
  })(), input.standardize);
  const html = await buildReport({ databaseUrl: cfg.databaseUrl, rejected: await quarantineCounts(kafka, serde), ...(flags ? { flags } : {}), ...(opts.title ? { title: opts.title } : {}) });
  writeFileSync(opts.out, html);
  log(`report written to ${opts.out} (${html.length} bytes)`);
  if (opts.pdf) {
    await renderPdf(html, opts.pdf);
    log(`PDF written to ${opts.pdf}`);
  }
  return html.length;
}
