import { emptyProgress, type ProgressDelta, type SourceDefinition, type SourceProgress } from './sourceDefinition';
import type { SourceStore } from './sourceStore';

/** For unit tests: the same behaviour as PgSourceStore, kept in a Map. */
export class InMemorySourceStore implements SourceStore {
  private readonly defs = new Map<string, SourceDefinition>();
  private readonly prog = new Map<string, SourceProgress>();

  async put(def: SourceDefinition): Promise<void> {
    this.defs.set(def.name, structuredClone(def));
    if (!this.prog.has(def.name)) this.prog.set(def.name, emptyProgress());
  }

  async get(name: string): Promise<SourceDefinition | undefined> {
    const d = this.defs.get(name);
    return d ? structuredClone(d) : undefined;
  }

  async list(): Promise<SourceDefinition[]> {
    return [...this.defs.values()].sort((a, b) => a.name.localeCompare(b.name)).map((d) => structuredClone(d));
  }

  async remove(name: string): Promise<boolean> {
    this.prog.delete(name);
    return this.defs.delete(name);
  }

  async progress(name: string): Promise<SourceProgress | undefined> {
    const p = this.prog.get(name);
    return p ? structuredClone(p) : undefined;
  }

  async recordProgress(name: string, d: ProgressDelta): Promise<void> {
    const p = this.prog.get(name);
    if (!p) return;
    const key = String(d.partition);
    const have = p.offsets[key];
    if (have !== undefined && BigInt(have) >= BigInt(d.lastOffset)) return;
    p.offsets[key] = d.lastOffset;
    p.snapshotRows += d.snapshotRows;
    if (d.snapshotRows > 0) {
      p.snapshotFirstAt ??= d.at;
      p.snapshotLastAt = d.at;
    }
    p.changes += d.changes;
    p.deletes += d.deletes;
    p.rejected += d.rejected;
    if (d.snapshotRows + d.changes + d.deletes + d.rejected > 0) p.lastEventAt = d.at;
    if (d.lastSourceTsMs !== null) p.lastSourceTsMs = Math.max(p.lastSourceTsMs ?? 0, d.lastSourceTsMs);
  }

  async markSnapshotRequested(name: string, at: Date): Promise<boolean> {
    const p = this.prog.get(name);
    if (!p || p.snapshotRequestedAt) return false;
    p.snapshotRequestedAt = at;
    return true;
  }

  async recordError(name: string, code: string, message: string, at: Date): Promise<void> {
    const p = this.prog.get(name);
    if (!p) return;
    p.errors++;
    p.lastError = { code, message, at };
  }
}
