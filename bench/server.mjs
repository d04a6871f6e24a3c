// Starts the worker exactly as `npm start` does (scripts/start.mjs: migrations applied to a fresh
// local D1, the built worker in Miniflare on embedded D1/R2/KV, bootstrap admin + demo project), on a
// fresh temp state folder, a free port and a known bootstrap token; finds its workerd process for
// memory readings; stops it cleanly.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** USER_HZ: /proc's unit of CPU time (100 on Linux). */
const CLOCK_TICKS = 100;

/** A free TCP port on loopback (bound then released). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Direct children of a pid, from /proc. */
function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces and parentheses: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {}
  }
  return out;
}

/** Every descendant of a pid with its command name. */
export function descendants(pid) {
  const found = [];
  const queue = [pid];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const p = queue.shift();
    for (const c of childrenOf(p)) {
      let comm = '';
      try {
        comm = readFileSync(`/proc/${c}/comm`, 'utf8').trim();
      } catch {}
      found.push({ pid: c, comm });
      queue.push(c);
    }
  }
  return found;
}

/** VmRSS and VmHWM of a process, in bytes (null when it is gone). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * Starts the worker through scripts/start.mjs. Resolves once it printed that it is running (it
 * has then answered an authenticated request, which bootstrapped `root` and `root/demo`).
 */
export async function startWorker({ verbose = false, timeoutMs = 120_000, reuse = null } = {}) {
  const state = reuse?.state ?? mkdtempSync(join(tmpdir(), 'flaretrack-bench-'));
  const port = reuse?.port ?? (await freePort());
  const token = reuse?.token ?? `ftpat-bench${randomBytes(12).toString('hex')}`;
  const env = {
    ...process.env,
    FLARETRACK_STATE: state,
    PORT: String(port),
    FLARETRACK_BOOTSTRAP_TOKEN: token,
    // as under `npm start`: the project's binaries (wrangler) and its Node first on PATH
    PATH: [join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
  };
  delete env.FLARETRACK_VERBOSE;
  const started = Date.now();
  // detached: its own process group, so stop() can end workerd with it
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (verbose) process.stderr.write(d);
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    if (verbose) process.stderr.write(d);
  });
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));

  const ready = await Promise.race([
    (async () => {
      for (let i = 0; i < timeoutMs / 100; i++) {
        if (stdout.includes('flaretrack is running at')) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  if (!ready) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
    rmSync(state, { recursive: true, force: true });
    throw new Error(`the worker did not start:\n${stdout}\n${stderr.slice(-4000)}`);
  }
  const origin = `http://127.0.0.1:${port}`;

  /** The workerd processes under start.mjs (the worker runtime). */
  const workerdPids = () => descendants(child.pid).filter((p) => p.comm === 'workerd').map((p) => p.pid);

  let stopping = null;
  /**
   * Stops the worker: SIGTERM to start.mjs (which disposes of Miniflare), SIGKILL after 10 s.
   * The state folder is removed unless `keepState`.
   */
  const stop = ({ keepState = false } = {}) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {}
        const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!done) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {}
          await exited;
        }
      }
      // anything left in its process group (workerd outliving start.mjs)
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(-child.pid, 0);
        } catch {
          break;
        }
        try {
          process.kill(-child.pid, i < 20 ? 'SIGTERM' : 'SIGKILL');
        } catch {}
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!keepState) rmSync(state, { recursive: true, force: true });
    })();
    return stopping;
  };

  /** The local D1 database file of this state folder (miniflare's D1 durable object). */
  const d1File = () => {
    const dir = join(state, 'v3', 'd1', 'miniflare-D1DatabaseObject');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
    if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.length}`);
    return join(dir, files[0]);
  };

  /** CPU time (user + system, ms) used so far by the worker's processes (start.mjs with Miniflare, workerd). */
  const cpuMs = () => {
    let total = 0;
    for (const p of [{ pid: child.pid }, ...descendants(child.pid)]) {
      try {
        const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
      } catch {}
    }
    return total;
  };

  return { origin, token, state, port, pid: child.pid, cpuMs, startupMs: Date.now() - started, workerdPids, stop, d1File, log: () => stderr };
}
