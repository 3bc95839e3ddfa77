import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { requestContext } from './request-context';

/**
 * JSON logs on stdout, one line per event, each with the service name and the request id of the
 * request being handled (taken from the async context, so callers need not pass it).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const ctx = requestContext.getStore();
      return ctx ? { requestId: ctx.requestId, ...(ctx.clientId ? { clientId: ctx.clientId } : {}) } : {};
    },
    // Key material and personal numbers must never reach a log line, whoever logs them.
    redact: {
      paths: ['*.privateKey', '*.pkcs8', '*.passphrase', '*.pin', 'privateKey', 'passphrase', 'pin', '*.idNumber', '*.*.idNumber', 'soPin', 'nextSoPin', '*.soPin', '*.nextSoPin', '*.*.soPin', '*.*.nextSoPin'],
      censor: '[redacted]',
    },
  });
}

/** Adapts pino to Nest's LoggerService so framework messages are JSON too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) { this.logger.info({ context }, String(message)); }
  error(message: unknown, trace?: string, context?: string) { this.logger.error({ context, trace }, String(message)); }
  warn(message: unknown, context?: string) { this.logger.warn({ context }, String(message)); }
  debug(message: unknown, context?: string) { this.logger.debug({ context }, String(message)); }
  verbose(message: unknown, context?: string) { this.logger.trace({ context }, String(message)); }
}
