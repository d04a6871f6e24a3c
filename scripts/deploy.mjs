/**
 * `npm run deploy [-- --env staging|production]`: one command from a fresh Cloudflare account to a
 * running instance. The D1 migrations are applied before the new code goes live; when the database
 * does not exist yet (the first deploy), `wrangler deploy` runs first: its automatic provisioning
 * creates the D1 database, R2 bucket and KV namespace wrangler.toml names, without ids in the file,
 * and the migrations follow it. Other arguments (`--env`, `--dry-run` …) pass through to wrangler.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);

/** Runs wrangler with its output shown; returns its status and what it printed. */
function wrangler(...command) {
  console.log(`\n$ wrangler ${command.join(' ')}`);
  const run = spawnSync('wrangler', command, { encoding: 'utf8', stdio: ['inherit', 'pipe', 'pipe'] });
  process.stdout.write(run.stdout ?? '');
  process.stderr.write(run.stderr ?? '');
  if (run.error) throw run.error;
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`, status: run.status ?? 1 };
}

function mustSucceed(run) {
  if (!run.ok) process.exit(run.status);
}

const migrate = () => wrangler('d1', 'migrations', 'apply', 'DB', '--remote', ...args);
const deploy = () => wrangler('deploy', ...args);

if (args.includes('--dry-run')) mustSucceed(deploy());
else {
  const first = migrate();
  if (first.ok) mustSucceed(deploy());
  else if (/Couldn't find a D1 DB/.test(first.output)) {
    console.log('\nThe D1 database does not exist yet: deploying creates it (and the R2 bucket and KV namespace), then the migrations run.');
    mustSucceed(deploy());
    mustSucceed(migrate());
  } else process.exit(first.status);
}
