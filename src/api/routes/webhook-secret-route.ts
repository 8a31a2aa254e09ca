import type { FastifyInstance } from 'fastify';
import { tenantWebhookSecret } from '../../core/webhooks/sign-webhook.js';
import { ApiError } from '../api-error.js';

/**
 * `GET /v1/webhook-secret`: the caller's tenant's own webhook secret, with
 * which deliveries of its jobs and batches that name no secret are signed
 * (derived from FLEET_WEBHOOK_SECRET; another tenant's never verifies).
 */
export function registerWebhookSecretRoute(app: FastifyInstance, deps: { webhookSecret?: string | undefined }): void {
  app.get(
    '/v1/webhook-secret',
    { schema: { summary: "The caller's tenant's webhook secret: verifies deliveries of its jobs and batches that name no secret", tags: ['webhooks'] } },
    (request) => {
      if (deps.webhookSecret === undefined) {
        throw new ApiError(404, 'not_found', 'the fleet has no default webhook secret (FLEET_WEBHOOK_SECRET): give each webhook its own secret');
      }
      return { secret: tenantWebhookSecret(deps.webhookSecret, request.tenant) };
    },
  );
}
