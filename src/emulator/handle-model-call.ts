import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { takesSystemPrompt } from '../core/model-family.js';
import { composeAnswer, type ComposedAnswer } from './compose-answer.js';
import type { EmulatorState } from './emulator-state.js';
import { eventFrame, exceptionFrame } from './event-stream-frames.js';
import { EmulatedException, type ExceptionName } from './exceptions.js';
import { BodyTooLargeError, readBody, sendException, sendJson, type Request, type Response } from './http-io.js';
import type { ModelBehaviour } from './model-behaviour.js';
import { pickFault } from './pick-fault.js';
import { lastUserText, validateConverseRequest } from './validate-converse-request.js';

const FAULT_MESSAGES: Record<ExceptionName, string> = {
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready to serve inference requests.',
  ServiceUnavailableException: 'Bedrock is unable to process your request.',
  InternalServerException: 'The server encountered an internal error while processing the request.',
  ModelTimeoutException: 'The request took too long to process. Processing time exceeded the model timeout length.',
  ValidationException: 'Malformed input request, please reformat your input and try again.',
  ServiceQuotaExceededException: 'Your request exceeds the service quota for your account.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: 'The requested resource could not be found.',
  ModelErrorException: 'The model returned an error while processing the request.',
};

/** SigV4 (`AWS4-HMAC-SHA256 Credential=…`) or a Bedrock API key (`Bearer …`). */
const AUTHORIZATION = /^(AWS4-HMAC-SHA256 Credential=\S+|Bearer \S+)/;

/** The body, or Bedrock's ValidationException (400) for one over the size limit: the same request would fail again. */
async function readBodyAsBedrock(req: Request): Promise<Buffer> {
  try {
    return await readBody(req);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    throw new EmulatedException(
      'ValidationException',
      `The request body is ${error.size} bytes, over the ${error.limit}-byte limit for a Converse request. Make the request smaller (send large files by s3Location instead of bytes) and try again.`,
    );
  }
}

interface Answered {
  answer: ComposedAnswer;
  behaviour: ModelBehaviour;
  invokedModelId: string | undefined;
}

async function prepare(req: Request, modelId: string, state: EmulatorState): Promise<Answered> {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !AUTHORIZATION.test(auth)) {
    throw new EmulatedException('AccessDeniedException', 'Missing or malformed Authorization header (expected SigV4 or Bearer).');
  }
  const raw = await readBodyAsBedrock(req);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new EmulatedException('ValidationException', 'The request body is not valid JSON.');
  }
  const behaviour = state.behaviourOf(modelId);
  const request = validateConverseRequest(body);
  if (request.hasSystem && !takesSystemPrompt(modelId)) {
    throw new EmulatedException(
      'ValidationException',
      "This model doesn't support system messages. Try again without a system message or use a model that supports system messages.",
    );
  }
  const fault = pickFault(behaviour.faults, state.randomOf(modelId));
  if (fault !== undefined) throw new EmulatedException(fault, FAULT_MESSAGES[fault]);

  let answering = modelId;
  let answeringBehaviour = behaviour;
  let invokedModelId: string | undefined;
  if (behaviour.promptRouter !== undefined) {
    const { models, longPromptChars } = behaviour.promptRouter;
    invokedModelId = (lastUserText(request).length > longPromptChars ? models.at(-1) : models[0]) ?? modelId;
    answering = invokedModelId;
    answeringBehaviour = state.behaviourOf(invokedModelId);
  }
  const answer = composeAnswer({
    modelId: answering,
    behaviour: answeringBehaviour,
    request,
    replay: state.replay,
    replayModel: state.replayModelOf(answering, answeringBehaviour),
    replayFallback: state.scenario.replay?.onMissing === 'plausible',
  });
  return { answer, behaviour: answeringBehaviour, invokedModelId };
}

function firstTokenDelay(behaviour: ModelBehaviour, draw: number): number {
  const { baseMs, jitterMs } = behaviour.latency;
  return Math.max(0, baseMs + (draw * 2 - 1) * jitterMs);
}

/** Splits text into stream deltas of a few words each. */
function chunksOf(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += 4) chunks.push(words.slice(i, i + 4).join(''));
  return chunks.length === 0 ? [''] : chunks;
}

/**
 * Serves `POST /model/{id}/converse` and `/converse-stream`: checks the
 * caller and the body as Bedrock would, draws the model's faults and
 * latency, and answers as JSON or as event-stream frames.
 */
export async function handleModelCall(
  req: Request,
  res: Response,
  call: { modelId: string; stream: boolean; state: EmulatorState },
): Promise<void> {
  const { modelId, state } = call;
  const started = performance.now();
  const gone = new AbortController();
  res.on('close', () => gone.abort());

  let prepared: Answered;
  try {
    prepared = await prepare(req, modelId, state);
  } catch (error) {
    if (!(error instanceof EmulatedException)) throw error;
    state.stats.record(modelId, error.exception);
    sendException(res, error.status, error.exception, error.message);
    return;
  }
  const { answer, behaviour, invokedModelId } = prepared;
  const random = state.randomOf(modelId);
  const firstDelay = firstTokenDelay(behaviour, random());
  const midStream = call.stream ? pickFault(behaviour.midStreamFaults, random) : undefined;
  const usage = {
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
    totalTokens: answer.inputTokens + answer.outputTokens,
  };
  const trace = invokedModelId === undefined ? undefined : { promptRouter: { invokedModelId } };
  let outcome = midStream === undefined ? 'ok' : `midstream:${midStream}`;

  try {
    if (!call.stream) {
      const total = firstDelay + behaviour.latency.perOutputTokenMs * answer.outputTokens;
      if (total > 0) await sleep(total, undefined, { signal: gone.signal });
      sendJson(res, 200, {
        output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
        stopReason: answer.stopReason,
        usage,
        metrics: { latencyMs: Math.round(performance.now() - started) },
        ...(trace === undefined ? {} : { trace }),
      });
      return;
    }

    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': randomUUID(),
    });
    res.write(eventFrame('messageStart', { role: 'assistant' }));
    if (firstDelay > 0) await sleep(firstDelay, undefined, { signal: gone.signal });
    const chunks = chunksOf(answer.text);
    const perChunk = (behaviour.latency.perOutputTokenMs * answer.outputTokens) / chunks.length;
    for (const [i, text] of chunks.entries()) {
      if (i > 0 && perChunk > 0) await sleep(perChunk, undefined, { signal: gone.signal });
      res.write(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
      if (midStream !== undefined) {
        res.end(exceptionFrame(midStream, `${midStream}: the stream failed after it began (emulated).`));
        return;
      }
    }
    res.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
    res.write(eventFrame('messageStop', { stopReason: answer.stopReason }));
    res.end(
      eventFrame('metadata', {
        usage,
        metrics: { latencyMs: Math.round(performance.now() - started) },
        ...(trace === undefined ? {} : { trace }),
      }),
    );
  } catch (error) {
    // The client went away (its timeout or cancellation): nothing left to answer.
    if (!gone.signal.aborted) throw error;
    outcome = 'client-gone';
  } finally {
    state.stats.record(modelId, outcome, usage);
  }
}
