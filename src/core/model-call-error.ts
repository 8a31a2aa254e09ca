import { isRetryableKind, type ErrorKind } from './error-kind.js';

export interface ModelCallErrorInit {
  kind: ErrorKind;
  message: string;
  modelId: string;
  /** The provider's name for the failure, e.g. `ThrottlingException`. */
  code: string;
  httpStatus?: number;
  /** True when the failure arrived inside a stream after it had started. */
  midStream?: boolean;
  requestId?: string;
  cause?: unknown;
}

/** A classified model-call failure; the only error type `converse/` throws. */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
  readonly kind: ErrorKind;
  readonly modelId: string;
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly midStream: boolean;
  readonly requestId: string | undefined;

  constructor(init: ModelCallErrorInit) {
    super(init.message, { cause: init.cause });
    this.kind = init.kind;
    this.modelId = init.modelId;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.midStream = init.midStream ?? false;
    this.requestId = init.requestId;
  }

  get isRetryable(): boolean {
    return isRetryableKind(this.kind);
  }

  /** A plain record for job results and logs. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      modelId: this.modelId,
      httpStatus: this.httpStatus,
      midStream: this.midStream,
      requestId: this.requestId,
    };
  }
}
