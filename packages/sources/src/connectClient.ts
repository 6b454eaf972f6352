import { SourceError } from './sourceErrors';

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id?: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id?: string; trace?: string }>;
}

/** A source connector's committed offsets (Debezium's bookmark: LSN, and the incremental snapshot's position). */
export interface ConnectorOffsets {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> }>;
}

/** Kafka Connect's REST API, the few calls idres needs. */
export class ConnectClient {
  constructor(private readonly baseUrl: string, private readonly timeoutMs = 15_000) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SourceError('CONNECT_UNAVAILABLE', `Kafka Connect at ${this.baseUrl} did not answer ${method} ${path}: ${(err as Error).message} (start it: npx idres stack up --with connect)`, { retriable: true, cause: err });
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 500) throw new SourceError('CONNECT_UNAVAILABLE', `Kafka Connect answered ${res.status} to ${method} ${path}: ${messageOf(json)}`, { retriable: true });
    return { status: res.status, json };
  }

  /** Creates or updates a connector (idempotent). */
  async putConfig(name: string, config: Record<string, string>): Promise<void> {
    const r = await this.call('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
    if (r.status >= 400) throw new SourceError('CONNECT_REFUSED', `Kafka Connect refused connector ${name} (${r.status}): ${messageOf(r.json)}`);
  }

  async config(name: string): Promise<Record<string, string> | undefined> {
    const r = await this.call('GET', `/connectors/${encodeURIComponent(name)}/config`);
    if (r.status === 404) return undefined;
    if (r.status >= 400) throw new SourceError('CONNECT_REFUSED', `GET config of ${name} answered ${r.status}: ${messageOf(r.json)}`);
    return r.json as Record<string, string>;
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    const r = await this.call('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (r.status === 404) return undefined;
    if (r.status >= 400) throw new SourceError('CONNECT_REFUSED', `GET status of ${name} answered ${r.status}: ${messageOf(r.json)}`);
    return r.json as ConnectorStatus;
  }

  async offsets(name: string): Promise<ConnectorOffsets | undefined> {
    const r = await this.call('GET', `/connectors/${encodeURIComponent(name)}/offsets`);
    if (r.status >= 400) return undefined;
    return r.json as ConnectorOffsets;
  }

  /** Restarts the connector and its failed tasks (after the cause of a failure is fixed). */
  async restart(name: string): Promise<void> {
    const r = await this.call('POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=true`);
    if (r.status >= 400 && r.status !== 404) throw new SourceError('CONNECT_REFUSED', `restart of ${name} answered ${r.status}: ${messageOf(r.json)}`);
  }

  /** Stops the connector (tasks shut down, config kept): needed before its offsets can be reset. */
  async stop(name: string): Promise<void> {
    const r = await this.call('PUT', `/connectors/${encodeURIComponent(name)}/stop`);
    if (r.status >= 400 && r.status !== 404) throw new SourceError('CONNECT_REFUSED', `stop of ${name} answered ${r.status}: ${messageOf(r.json)}`);
  }

  /** Forgets a stopped connector's offsets, so a connector of the same name later starts afresh. */
  async resetOffsets(name: string): Promise<void> {
    const r = await this.call('DELETE', `/connectors/${encodeURIComponent(name)}/offsets`);
    if (r.status >= 400 && r.status !== 404) throw new SourceError('CONNECT_REFUSED', `offset reset of ${name} answered ${r.status}: ${messageOf(r.json)}`);
  }

  /** Deletes the connector; false if it did not exist. */
  async delete(name: string): Promise<boolean> {
    const r = await this.call('DELETE', `/connectors/${encodeURIComponent(name)}`);
    if (r.status === 404) return false;
    if (r.status >= 400) throw new SourceError('CONNECT_REFUSED', `DELETE ${name} answered ${r.status}: ${messageOf(r.json)}`);
    return true;
  }
}

function messageOf(json: unknown): string {
  if (typeof json === 'object' && json !== null && 'message' in json) return String((json as { message: unknown }).message).slice(0, 500);
  return 'no message';
}

/** The first line of a failed task's Java trace: enough to act on, without the rest (which can quote data). */
export function traceHeadline(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  return trace.split('\n')[0]!.slice(0, 300);
}
