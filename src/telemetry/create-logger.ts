import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** When false (the default), prompt and document fields are redacted. */
  logPrompts?: boolean;
  name?: string;
}

/** Fields that may carry prompts, documents or answers. */
const CONTENT_PATHS = [
  'prompt',
  'document',
  'messages',
  'system',
  'text',
  '*.prompt',
  '*.document',
  '*.messages',
  '*.system',
  '*.text',
];

/** The fleet's logger: JSON lines; content redacted unless a setting allows it. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    name: options.name ?? 'fleet',
    level: options.level ?? 'info',
    redact: options.logPrompts === true ? [] : { paths: CONTENT_PATHS, censor: '[redacted]' },
  });
}
