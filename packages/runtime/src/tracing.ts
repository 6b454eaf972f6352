import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Starts OpenTelemetry when an exporter is configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER);
 * otherwise the API stays a no-op so tracing costs nothing. Must run before other clients are created.
 */
export function startTracing(serviceName: string, env: Readonly<Record<string, string | undefined>>): { shutdown: () => Promise<void> } {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !env['OTEL_TRACES_EXPORTER']) {
    return { shutdown: async () => {} };
  }
  const sdk = new NodeSDK({ serviceName });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
