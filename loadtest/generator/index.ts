/** Public API of the synthetic identity generator (see docs/loadtest.md). */
export {
  COLUMNS, MAX_RECORD_BYTES, SyntheticGenerator, createGenerator, emptyRecord, isValidNanp, isValidSsn, civilFromDays,
  daysFromCivil,
} from './generator.js';
export type { Column, SyntheticRecord, GeneratorOptions, GeneratorStats, ClusterDistribution } from './generator.js';
export {
  csvHeader, csvLine, csvLineGenerated, jsonLine, writeText, writeParquet, writeDataset, streamRecords, generateBatches, recordsAsync,
} from './writers.js';
export type { OutputFormat, WriteSummary } from './writers.js';
export { Rng, AliasTable } from './rng.js';
