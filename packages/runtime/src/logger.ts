import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(serviceName: string, level: string): Logger {
  return pino({ name: serviceName, level, base: { service: serviceName } });
}
