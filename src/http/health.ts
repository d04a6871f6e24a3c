/**
 * Health checks, as GitLab names them: `/-/liveness` (the Worker answers) and `/-/readiness`
 * (it can reach D1, R2 and KV: one cheap read each, in parallel). Readiness answers 200 when every
 * check passes, else 503 with the failing check's error. No credentials needed; nothing secret shown.
 */
import type { Bindings } from './env';
import { handlers } from './mount';
import { routes } from './routes';

type Check = { status: 'ok' } | { status: 'failed'; message: string };

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return { status: 'ok' };
  } catch (e) {
    return { status: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}

/** Reads D1 (the schema is there), R2 and KV once each. */
export async function readiness(env: Bindings) {
  const [d1, r2, kv] = await Promise.all([
    check(() => env.DB.prepare('SELECT count(*) FROM d1_migrations').first()),
    check(() => env.ARTIFACTS.head('flaretrack-readiness-probe')),
    check(() => env.FLAGS.get('ml_experiment_tracking')),
  ]);
  const ok = [d1, r2, kv].every((c) => c.status === 'ok');
  return { ok, body: { status: ok ? 'ok' : 'failed', d1_check: [d1], r2_check: [r2], kv_check: [kv] } };
}

/** `/-/liveness` and `/-/readiness`. */
export const healthRoutes = handlers()
  .on(routes.health.liveness, (c) => c.json({ status: 'ok' }))
  .on(routes.health.readiness, async (c) => {
    const { ok, body } = await readiness(c.env);
    c.header('Cache-Control', 'no-store');
    return c.json(body, ok ? 200 : 503);
  });
