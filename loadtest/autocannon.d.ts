// The part of autocannon's API that loadtest/ingestLoad.ts uses (the package ships no types).
declare module 'autocannon' {
  interface RequestParams { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  interface Request extends RequestParams {
    setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }
  interface Options { url: string; connections?: number; overallRate?: number; duration?: number; amount?: number; timeout?: number; requests?: Request[] }
  interface Histogram { p50: number; p90: number; p99: number; max: number; mean: number }
  interface Result {
    duration: number; '2xx': number; non2xx: number; errors: number; timeouts: number;
    latency: Histogram; requests: Histogram & { sent: number; total: number };
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
