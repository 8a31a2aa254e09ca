/**
 * The tier workers' limiter maximum: far above any real rate and below the
 * value a pause sets (`queue.rateLimit` sets Number.MAX_SAFE_INTEGER), so the
 * limiter only ever pauses. Reading the limiter with it
 * (`queue.getRateLimitTtl(PAUSE_ONLY_LIMIT)`) tells a pause from the
 * one-second window every job taken opens.
 */
export const PAUSE_ONLY_LIMIT = 1e15;
