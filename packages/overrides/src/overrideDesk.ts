import type { Producer } from 'kafkajs';
import { TOPICS, type AvroSerde, type OverrideEventAvro } from '@idres/runtime';
import type { DecideInput, Override, OverrideStore } from './overrideStore';

export function overrideEvent(o: Override, action: OverrideEventAvro['action']): OverrideEventAvro {
  return { id: o.id, action, a: o.a, b: o.b, decision: o.decision, reviewer: o.reviewer, at: action === 'UNDONE' ? (o.undoneAt ?? Date.now()) : o.createdAt };
}

/**
 * Where reviewers' decisions are made: each is stored first (the store is what resolve obeys) and then published
 * on identity.overrides, which makes resolve recompute the two records' identities now. If publishing fails the
 * decision is kept and the call fails; making the same decision again is idempotent and publishes it again.
 */
export class OverrideDesk {
  constructor(private readonly deps: { store: OverrideStore; producer: Producer; serde: AvroSerde }) {}

  get store(): OverrideStore {
    return this.deps.store;
  }

  async decide(input: DecideInput): Promise<{ override: Override; changed: boolean; replaced: Override | null }> {
    const res = await this.deps.store.decide(input);
    await this.publish(overrideEvent(res.override, 'DECIDED'));
    return res;
  }

  async undo(id: number): Promise<Override> {
    const o = await this.deps.store.undo(id);
    await this.publish(overrideEvent(o, 'UNDONE'));
    return o;
  }

  private async publish(e: OverrideEventAvro): Promise<void> {
    const { serde, producer } = this.deps;
    await producer.send({
      topic: TOPICS.overrides,
      acks: -1,
      messages: [{ key: serde.encodeKey(TOPICS.overrides, { a: e.a, b: e.b }), value: serde.encodeValue(TOPICS.overrides, e) }],
    });
  }
}
