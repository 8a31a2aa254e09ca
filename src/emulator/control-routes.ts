import type { EmulatorState } from './emulator-state.js';
import { BodyTooLargeError, readBody, sendJson, type Request, type Response } from './http-io.js';
import { modelBehaviourSchema } from './scenario-schema.js';

/** Paths of the control endpoint; nothing under it exists on real Bedrock. */
export const CONTROL_PREFIX = '/__emulator';

async function readJson(req: Request): Promise<unknown> {
  const raw = await readBody(req);
  return raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as unknown);
}

/**
 * Steers the emulator at run time and reads its counts:
 * - `GET  /__emulator/health`
 * - `GET  /__emulator/stats`: calls per model and per outcome
 * - `POST /__emulator/reset`: overrides, counts and generators back to the scenario
 * - `PUT  /__emulator/models/{id}`: layer faults, latency or answers over a model (`*` for all)
 * - `GET  /__emulator/models/{id}`: the model's behaviour as resolved now
 * - `DELETE /__emulator/overrides`: drop every run-time layer
 */
export async function handleControl(req: Request, res: Response, path: string, state: EmulatorState): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path.slice(CONTROL_PREFIX.length)}`;
  try {
    if (route === 'GET /health') return sendJson(res, 200, { ok: true });
    if (route === 'GET /stats') return sendJson(res, 200, state.stats.snapshot());
    if (route === 'POST /reset') {
      state.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'DELETE /overrides') {
      state.clearOverrides();
      return sendJson(res, 200, { ok: true });
    }
    const model = /^(GET|PUT) \/models\/([^/]+)$/.exec(route);
    if (model?.[2] !== undefined) {
      const modelId = decodeURIComponent(model[2]);
      if (model[1] === 'PUT') {
        const parsed = modelBehaviourSchema.safeParse(await readJson(req));
        if (!parsed.success) {
          return sendJson(res, 400, {
            message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
          });
        }
        state.override(modelId, parsed.data);
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 200, state.behaviourOf(modelId));
    }
    return sendJson(res, 404, { message: `no control route ${route}` });
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof BodyTooLargeError) {
      return sendJson(res, 400, { message: `bad control request: ${error.message}` });
    }
    if (error instanceof Error && 'exception' in error) return sendJson(res, 404, { message: error.message });
    throw error;
  }
}
