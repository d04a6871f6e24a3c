// `npm start`: applies the migrations to the local D1, runs the worker on embedded D1/R2/KV,
// bootstraps an admin and a demo project on an empty database, and prints what to paste.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const state = resolve(process.env.FLARETRACK_STATE ?? '.wrangler/state');
const port = Number(process.env.PORT ?? 8787);
const host = '127.0.0.1';
const origin = `http://${host}:${port}`;
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' };

mkdirSync(state, { recursive: true });
const secretFile = join(state, 'flaretrack-admin.json');
const saved = existsSync(secretFile) ? JSON.parse(readFileSync(secretFile, 'utf8')) : null;
const token = process.env.FLARETRACK_BOOTSTRAP_TOKEN ?? saved?.token ?? `ftpat-${randomBytes(16).toString('hex')}`;
if (!saved) writeFileSync(secretFile, JSON.stringify({ token }, null, 2), { mode: 0o600 });

const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], { env, stdio: ['ignore', 'pipe', 'inherit'] });
if (migrate.status !== 0) {
  process.stderr.write(migrate.stdout);
  process.exit(migrate.status ?? 1);
}

const dev = spawn(
  'wrangler',
  ['dev', '--local', '--persist-to', state, '--ip', host, '--port', String(port), '--show-interactive-dev-session=false',
    '--var', `FLARETRACK_BOOTSTRAP_TOKEN:${token}`, '--var', 'FLARETRACK_LOCAL:on'],
  { env, stdio: ['ignore', process.env.FLARETRACK_VERBOSE ? 'inherit' : 'ignore', 'inherit'] },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));

async function waitForWorker() {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${origin}/api/v4/user`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) return await res.json();
      if (res.status === 401) return null;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the worker did not answer on ${origin}`);
}

const me = await waitForWorker();
const projects = me ? await (await fetch(`${origin}/api/v4/projects`, { headers: { authorization: `Bearer ${token}` } })).json() : [];
const demo = projects.find((p) => p.path_with_namespace === 'root/demo') ?? projects[0];
const lines = [`flaretrack is running at ${origin}/`];
if (me) {
  lines.push(`  admin:  ${me.username}`, `  token:  ${token}`);
  if (demo) {
    lines.push(
      `  demo project: ${origin}/${demo.path_with_namespace}/-/ml/experiments`,
      '',
      'Log to it with the MLflow client:',
      `  export MLFLOW_TRACKING_URI=${origin}/api/v4/projects/${demo.id}/ml/mlflow`,
      `  export MLFLOW_TRACKING_TOKEN=${token}`,
    );
  }
} else {
  lines.push('  (this state folder already has users; sign in with your own token)');
}
lines.push(`  state: ${state}`);
console.log(lines.join('\n'));
