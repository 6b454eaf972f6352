import { erasureBoundMs, type ErasurePath, type TopicSpec } from '@idres/runtime';
import type { ErasurePlace } from './erasureRequest';

const HOW: Record<ErasurePath, string> = {
  tombstone: 'tombstone written; compaction drops every earlier version of the record',
  rewritten: 'rewritten by the pipeline without the record; compaction drops the older versions',
  expires: 'keyed by block or partition (no per-record delete): the values leave with the retention',
  'no-values': 'holds record IDs only',
};

/**
 * Every place that held the record's values and when it is gone there at the latest, counted from the moment the
 * pipeline had processed the delete (`doneAt`). Stores the pipeline scrubbed are gone already.
 */
export function erasurePlaces(specs: readonly TopicSpec[], doneAt: Date): { places: ErasurePlace[]; valuesGoneBy: Date } {
  const places: ErasurePlace[] = [
    { place: 'postgres idres_records', how: 'values emptied, row kept as a deleted marker (record ID and version)', goneBy: null },
    { place: 'postgres idres_edges', how: 'links of the record removed', goneBy: null },
    { place: 'redis block state', how: 'record and its version removed', goneBy: null },
    { place: 'lookup API and golden records', how: 'rebuilt without the record', goneBy: null },
  ];
  let last = doneAt.getTime();
  for (const spec of specs) {
    const bound = erasureBoundMs(spec);
    const goneBy = spec.erasure === 'no-values' ? null : new Date(doneAt.getTime() + bound);
    if (goneBy) last = Math.max(last, goneBy.getTime());
    places.push({ place: `topic ${spec.name}`, how: HOW[spec.erasure], goneBy });
  }
  return { places, valuesGoneBy: new Date(last) };
}
