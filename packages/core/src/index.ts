// Public API of @idres/core: pure domain code (no I/O). File-reading helpers live in ./fixtures and ./cli.
export { CANONICAL_FIELDS } from './fields.js';
export type { CanonicalField, RawFields, QualityFlag, StandardizedRecord, StandardizeOptions } from './fields.js';
export { IdresError, isIdresError } from './errors.js';
export type { IdresErrorCode } from './errors.js';
export { standardizeRecord, ssnInvalidReason, ATTRIBUTE_PREFIX, MAX_ATTRIBUTES, MIN_BIRTH_YEAR } from './standardizeRecord.js';
export { DEFAULT_BLOCKING_RULES, blockingKeys, firstSharedRule, candidatePairs } from './blocking.js';
export type { BlockingRule, BlockingKey } from './blocking.js';
export { DEFAULT_SETTINGS, DEFAULT_COMPARISONS } from './settings.js';
export type { MatchSettings, ComparisonSpec, LevelSpec, DeterministicRule } from './settings.js';
export { loadModel, scorePair, scorePrepared, prepareRecord, matchWeight, matchWeightPrepared, probabilityFromWeight, validateSettings, compileLevel, compileComparison, FieldIndex, MODEL_FORMAT, MODEL_VERSION } from './model.js';
export type { ModelJson, MatchModel, PreparedRecord, PairScore, ExplanationTerm, ComparisonParameters, LevelParameters, TfTable } from './model.js';
export { mulberry32, trainModel } from './trainModel.js';
export type { TrainOptions } from './trainModel.js';
export { pairwiseQuality, clusterPairs, runQuality } from './quality.js';
export type { PairwiseQuality, ScoredPair, LabelledRecord, QualityRunResult } from './quality.js';
export { jaroWinkler, damerauLevenshtein } from './stringMetrics.js';
export { nicknameKey, nicknameKeysIntersect } from './nicknames.js';
export { foldText } from './text.js';
