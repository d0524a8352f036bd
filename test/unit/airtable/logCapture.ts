// A real pino logger whose lines land in an array, so tests can assert on warnings and alerts.
import pino from 'pino';
import type { Logger } from '../../../src/observability/logger';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export const LEVEL = { warn: 40, error: 50 } as const;

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
