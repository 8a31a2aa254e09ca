import { createReadStream } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { FleetConfig } from '../../config/fleet-schema.js';
import type { FleetQueues } from '../../queue/fleet-queues.js';
import { fleetBudgetReport } from '../../core/budgets/budget-report.js';
import { hasBudgets } from '../../core/budgets/budget-settings.js';
import { createSpendStore } from '../../queue/budgets/spend-store.js';
import { readFleetStats } from '../../queue/stats/read-fleet-stats.js';
import type { ApiKeyTable } from '../auth/api-key-table.js';
import { ADMIN_COOKIE, adminOfRequest, adminTenantOfKey, requireAdmin, type AdminAuthDeps } from './admin-auth.js';
import { createAdminSessions } from './admin-session.js';
import { loadDashboardAssets } from './dashboard-assets.js';
import { fillTemplate } from './fill-template.js';
import { mountBullBoard } from './mount-bull-board.js';

export interface DashboardDeps {
  fleet: FleetConfig;
  queues: FleetQueues;
  redis: Redis;
  apiKeys: ApiKeyTable;
  /** Tenants whose API keys may open the dashboards. */
  adminTenants: ReadonlySet<string>;
  /** Bull Board refuses changes (retry, clean, pause…) unless false. */
  readOnly: boolean;
  /** Signs the session cookie; at least 32 characters. */
  sessionSecret: string;
  /** Where the dashboards live; `/admin` by default. */
  basePath?: string;
  /** How long a login lasts; 8 hours by default. */
  sessionTtlMs?: number;
  now?: () => number;
}

const DEFAULT_SESSION_TTL_MS = 8 * 3_600_000;

/** Our own pages load scripts and styles from this server only. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function normaliseBasePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`;
  if (trimmed === '/') throw new Error('the dashboards need a base path other than "/"');
  return trimmed;
}

/**
 * The fleet's dashboards under `basePath` (default `/admin`), in one
 * encapsulated plugin whose hook requires an admin on every route in it:
 * - `GET|POST <base>/login`, `POST <base>/logout`: a signed session cookie for an admin API key;
 * - `GET <base>`: the overview page (queue depth, throughput, rates, breakers, cost, latency, recent jobs);
 * - `GET <base>/api/stats`: its data (`FleetStats`, plus `budgets` when the fleet sets any), which the page polls every 5 s;
 * - `<base>/queues`: Bull Board over every tier queue, read-only unless `readOnly` is false.
 * Any request may instead carry `Authorization: Bearer <admin key>`.
 */
export async function registerDashboards(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const basePath = normaliseBasePath(deps.basePath ?? '/admin');
  const assets = loadDashboardAssets();
  const sessions = createAdminSessions({
    secret: deps.sessionSecret,
    ttlMs: deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const loginPath = `${basePath}/login`;
  const spendStore = hasBudgets(deps.fleet.budgets)
    ? createSpendStore({ redis: deps.redis, fleetName: deps.fleet.name, period: deps.fleet.budgets.period })
    : undefined;
  const page = { fleet: deps.fleet.name, basePath };
  const overviewPage = fillTemplate(assets.overviewTemplate, page);
  const loginPage = (error: string): string => fillTemplate(assets.loginTemplate, { ...page, error });
  const sendPage = (reply: FastifyReply, html: string, status = 200): FastifyReply =>
    reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);

  await app.register(
    async (admin) => {
      // Registered here unless the app already has them, so the dashboards need nothing from the app.
      if (!admin.hasRequestDecorator('cookies')) await admin.register(fastifyCookie);
      if (!admin.hasContentTypeParser('application/x-www-form-urlencoded')) await admin.register(fastifyFormbody);

      const auth: AdminAuthDeps = {
        apiKeys: deps.apiKeys,
        adminTenants: deps.adminTenants,
        sessions,
        loginPath,
        publicUrls: new Set([loginPath, `${basePath}/logout`, `${basePath}/assets/dashboard.css`]),
      };
      admin.addHook('onRequest', requireAdmin(auth));

      admin.get('/login', async (request, reply) => {
        if (adminOfRequest(auth, request) !== undefined) return reply.redirect(basePath, 303);
        return sendPage(reply, loginPage(''));
      });

      admin.post<{ Body: { key?: string } }>(
        '/login',
        { schema: { body: { type: 'object', properties: { key: { type: 'string', maxLength: 1024 } } } } },
        async (request, reply) => {
          const key = request.body.key?.trim() ?? '';
          const tenant = key === '' ? undefined : adminTenantOfKey(deps, key);
          if (tenant === undefined) {
            request.log.warn({ ip: request.ip }, 'dashboard login refused');
            return sendPage(reply, loginPage('That key is unknown, or its tenant is not an admin.'), 401);
          }
          const { value, session } = sessions.issue(tenant);
          request.log.info({ tenant }, 'dashboard login');
          return reply
            .setCookie(ADMIN_COOKIE, value, {
              path: basePath,
              httpOnly: true,
              sameSite: 'strict',
              secure: 'auto',
              expires: new Date(session.expiresAt),
            })
            .redirect(basePath, 303);
        },
      );

      admin.post('/logout', async (_request, reply) =>
        reply.clearCookie(ADMIN_COOKIE, { path: basePath }).redirect(loginPath, 303),
      );

      admin.get('/', async (_request, reply) => sendPage(reply, overviewPage));

      admin.get<{ Querystring: { minutes?: number } }>(
        '/api/stats',
        { schema: { querystring: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 2880 } } } } },
        async (request, reply) => {
          const stats = await readFleetStats({
            redis: deps.redis,
            fleetName: deps.fleet.name,
            queues: deps.queues,
            fleet: deps.fleet,
            ...(request.query.minutes === undefined ? {} : { minutes: request.query.minutes }),
            ...(deps.now === undefined ? {} : { now: deps.now }),
          });
          // With budgets in the fleet file, today's spend against them (the same figures as GET /v1/budgets for admins).
          const at = (deps.now ?? Date.now)();
          const budgets = spendStore === undefined ? undefined : fleetBudgetReport({ settings: deps.fleet.budgets, spend: await spendStore.read(at), at });
          return reply.header('cache-control', 'no-store').send(budgets === undefined ? stats : { ...stats, budgets });
        },
      );

      for (const [name, asset] of assets.files) {
        admin.get(`/assets/${name}`, async (_request, reply) =>
          reply
            .type(asset.contentType)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'private, max-age=300')
            .send(createReadStream(asset.file)),
        );
      }

      await mountBullBoard(admin, {
        fleet: deps.fleet,
        queues: deps.queues,
        readOnly: deps.readOnly,
        prefix: '/queues',
        fullPath: `${basePath}/queues`,
        overviewUrl: basePath,
      });
    },
    { prefix: basePath },
  );
}
