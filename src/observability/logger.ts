import pino from 'pino';

// One JSON logger for every role; secrets are redacted wherever they might appear.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'dispatch', role: process.env.DISPATCH_ROLE },
  redact: {
    paths: ['authToken', '*.authToken', 'apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization', 'password'],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
