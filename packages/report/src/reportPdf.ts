import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { IdresError } from '@idres/core';

/** Debian's chromium package; IDRES_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['IDRES_CHROMIUM'] || DEFAULT_CHROMIUM;
}

/**
 * Renders the report HTML to a PDF with the machine's headless Chromium (playwright-core drives it; it ships no
 * browser of its own). Waits until the page says its charts are drawn.
 */
export async function renderPdf(html: string, outFile: string, opts: { chromium?: string } = {}): Promise<void> {
  const executablePath = opts.chromium ?? chromiumPath();
  if (!existsSync(executablePath)) throw new IdresError('CHROMIUM_MISSING', `no Chromium at ${executablePath} (apt-get install chromium, or set IDRES_CHROMIUM)`);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 30_000 });
    await page.pdf({ path: outFile, format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
  } finally {
    await browser.close();
  }
}
