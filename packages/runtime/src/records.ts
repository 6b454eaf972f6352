/** TypeScript shapes of the Avro schemas in schemas/, for handlers. Keep in step with the .avsc files. */
export interface RecordKey { source: string; sourceRecordId: string }
export interface RawRecord {
  source: string;
  sourceRecordId: string;
  given_name?: string | null;
  middle_name?: string | null;
  family_name?: string | null;
  full_name?: string | null;
  dob?: string | null;
  dob_year?: string | null;
  dob_month?: string | null;
  dob_day?: string | null;
  gender?: string | null;
  ssn?: string | null;
  phone?: string | null;
  email?: string | null;
  house_number?: string | null;
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  state?: string | null;
  postcode?: string | null;
  country?: string | null;
  attributes: Record<string, string>;
}
export interface QualityFlagAvro { field: string; code: string; detail: string | null }
export interface StandardizedRecordAvro {
  recordId: string;
  source: string;
  sourceRecordId: string;
  version: number;
  deleted: boolean;
  values: Record<string, string>;
  flags: QualityFlagAvro[];
  attributes: Record<string, string>;
  ingestedAt: number;
}
/** Key of a packed topic's message: the partition its items hash to. */
export interface PackKeyAvro { partition: number }
export interface RecordBlockKeyAvro { ruleIndex: number; key: string }
export interface BlockedRecordAvro {
  blockKey: string;
  rule: string;
  ruleIndex: number;
  recordId: string;
  version: number;
  deleted: boolean;
  primary: boolean;
  ingestedAt: number;
}
export interface ExplanationTermAvro { comparison: string; level: string; weight: number }
export type PairEventKind = 'RECORD' | 'DELETE' | 'PAIR';
export interface PairEventAvro {
  kind: PairEventKind;
  recordId: string;
  version: number;
  otherRecordId: string | null;
  otherVersion: number | null;
  probability: number;
  matchWeight: number;
  deterministicRule: string | null;
  blockingRule: string | null;
  explanation: ExplanationTermAvro[];
  values: Record<string, string>;
  ingestedAt: number;
  /** Stored model version that scored a PAIR; null for the default or a pinned model file. */
  modelVersion?: number | null;
  /** At or above the threshold (a link); false: evidence for the clustering only. Absent means true. */
  link?: boolean;
}
export interface MasterKeyAvro { masterId: string }
export type ResolvedEventType = 'MEMBERSHIP' | 'MERGED' | 'SPLIT' | 'RETIRED';
export interface ResolvedEventAvro {
  type: ResolvedEventType;
  masterId: string;
  seq: number;
  members: string[];
  survivorId: string | null;
  splitFrom: string | null;
  at: number;
  maxIngestedAt: number;
}
export interface GoldenRecordAvro {
  masterId: string;
  members: string[];
  fields: Record<string, string>;
  sources: Record<string, string>;
  seq: number;
  updatedAt: number;
  /** Added later with a null default: golden records written before it decode without one. */
  householdId?: string | null;
}
export interface HouseholdKeyAvro { householdId: string }
export interface HouseholdLinkAvro { a: string; b: string; shared: string[] }
export interface HouseholdAvro {
  householdId: string;
  members: string[];
  address: Record<string, string>;
  evidence: HouseholdLinkAvro[];
  departed: string[];
  absorbedInto: string | null;
  updatedAt: number;
}

export const recordIdOf = (source: string, sourceRecordId: string): string => `${source}:${sourceRecordId}`;
export interface QuarantineRecordAvro {
  stage: string;
  code: string;
  reason: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  key: Buffer | null;
  value: Buffer | null;
  at: number;
}
export interface OverrideKeyAvro { a: string; b: string }
export interface OverrideEventAvro {
  id: number;
  action: 'DECIDED' | 'UNDONE';
  a: string;
  b: string;
  decision: 'SAME' | 'DIFFERENT';
  reviewer: string | null;
  at: number;
}
