export { buildReport, type BuildReportOptions } from './buildReport';
export { collectReportData, maskValue, REPORT_FIELDS, type CollectOptions, type ReportData } from './reportData';
export { renderReport, reportCharts } from './renderReport';
export { renderPdf, chromiumPath, DEFAULT_CHROMIUM } from './reportPdf';
export { standardizationFlags } from './standardizationFlags';
