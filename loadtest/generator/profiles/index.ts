/**
 * Data-shape profiles of the generator (`--profile`): `us-crm` is the main generator (generator.ts, canonical
 * idres columns); the others are held-out shapes with their own columns and an `idres resolve --map` mapping.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ProfileStream, type ProfileDef, type ProfileOptions, type ProfileStats } from './common.js';
import { civilRegisterDe, civilRegisterDeNames } from './register.js';
import { historical } from './historical.js';
import { febrlLike } from './febrl.js';

export { ProfileStream } from './common.js';
export type { ProfileDef, ProfileOptions, ProfileStats, ProfileRecord } from './common.js';
export { civilRegisterDe, civilRegisterDeNames, registerFieldOf, renderDe, REGISTER_COLUMNS, REGISTER_NAMES_COLUMNS, REGISTER_DUP_P } from './register.js';
export { historical, HISTORICAL_COLUMNS, HISTORICAL_MAX_CLUSTER } from './historical.js';
export { febrlLike, FEBRL_COLUMNS, FEBRL_MAX_DUPLICATES } from './febrl.js';

export const PROFILE_NAMES = ['us-crm', 'civil-register-de', 'civil-register-de-names', 'historical', 'febrl-like'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** Profiles with their own columns (all but us-crm). */
export type ShapeProfileName = Exclude<ProfileName, 'us-crm'>;

export const PROFILES: Readonly<Record<ShapeProfileName, ProfileDef>> = {
  'civil-register-de': civilRegisterDe,
  'civil-register-de-names': civilRegisterDeNames,
  historical,
  'febrl-like': febrlLike,
};

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

/** The us-crm mapping: its columns are the canonical fields themselves. */
export const US_CRM_MAPPING: Readonly<Record<string, string>> = Object.fromEntries(
  ['given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1',
    'address_line2', 'city', 'state', 'postcode', 'country'].map((c) => [c, c]),
);

/** idres field -> column for a profile (us-crm: identity over the canonical columns). */
export function profileMapping(name: ProfileName): Readonly<Record<string, string>> {
  return name === 'us-crm' ? US_CRM_MAPPING : PROFILES[name].mapping;
}

/** The mapping as an `idres resolve --map` argument: `given_name=first_given_name,...`. */
export function mapSpec(mapping: Readonly<Record<string, string>>): string {
  return Object.entries(mapping).map(([f, c]) => `${f}=${c}`).join(',');
}

/** All columns of a profile's files, in order. */
export function profileColumns(p: ProfileDef): string[] {
  return ['record_id', 'entity_id', ...p.columns];
}

const NEEDS_QUOTES = /[",\r\n]/;
const csvField = (v: string): string => (NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Write a profile's records as CSV (UTF-8, header, RFC 4180 quoting) or JSONL; awaits 'drain' on backpressure. */
export async function writeProfileText(stream: ProfileStream, format: 'csv' | 'jsonl', out: Writable): Promise<number> {
  const cols = profileColumns(stream.profile);
  let chunk = format === 'csv' ? `${cols.map(csvField).join(',')}\n` : '';
  let bytes = 0;
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await once(out, 'drain');
  };
  for (const r of stream) {
    if (format === 'csv') chunk += `${r.record_id},${r.entity_id},${r.values.map(csvField).join(',')}\n`;
    else {
      const o: Record<string, string> = { record_id: r.record_id, entity_id: r.entity_id };
      stream.profile.columns.forEach((c, i) => { o[c] = r.values[i] ?? ''; });
      chunk += `${JSON.stringify(o)}\n`;
    }
    if (chunk.length > 1 << 20) await flush();
  }
  if (chunk.length > 0) await flush();
  return bytes;
}

export interface ProfileWriteSummary extends ProfileStats {
  profile: ShapeProfileName;
  format: 'csv' | 'jsonl';
  out: string;
  seconds: number;
  bytes: number;
}

/** Generate a profile's records into `out` ('-' = stdout). */
export async function writeProfileDataset(
  name: ShapeProfileName,
  opts: ProfileOptions & { format: 'csv' | 'jsonl'; out: string },
): Promise<ProfileWriteSummary> {
  const t0 = process.hrtime.bigint();
  const stream = new ProfileStream(PROFILES[name], opts);
  let bytes: number;
  if (opts.out === '-') bytes = await writeProfileText(stream, opts.format, process.stdout);
  else {
    const ws = createWriteStream(opts.out, { highWaterMark: 1 << 20 });
    await once(ws, 'open');
    bytes = await writeProfileText(stream, opts.format, ws);
    ws.end();
    await once(ws, 'finish');
  }
  return { ...stream.stats, profile: name, format: opts.format, out: opts.out, seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes };
}
