/** Bedrock exceptions the emulator can raise, with the status Bedrock uses. */
export const EXCEPTION_STATUS = {
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
  ModelTimeoutException: 408,
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelErrorException: 424,
} as const;

export type ExceptionName = keyof typeof EXCEPTION_STATUS;
export const EXCEPTION_NAMES = Object.keys(EXCEPTION_STATUS) as ExceptionName[];

/** Exceptions ConverseStream can send inside the stream, by `:exception-type`. */
export const STREAM_EXCEPTIONS = [
  'throttlingException',
  'serviceUnavailableException',
  'internalServerException',
  'validationException',
  'modelStreamErrorException',
] as const;

export type StreamExceptionName = (typeof STREAM_EXCEPTIONS)[number];

/** A failure the emulator answers with instead of a model reply. */
export class EmulatedException extends Error {
  readonly exception: ExceptionName;
  constructor(exception: ExceptionName, message: string) {
    super(message);
    this.exception = exception;
  }
  get status(): number {
    return EXCEPTION_STATUS[this.exception];
  }
}
