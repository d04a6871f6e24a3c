/**
 * Starts, once per run, the real worker the way `npm start` does (scripts/start.mjs on a fresh
 * state folder, a free port and a known bootstrap token) and one headless Chromium (Debian's
 * /usr/bin/chromium) as a playwright server the test files connect to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    origin: string;
    adminToken: string;
    wsEndpoint: string;
    /** The worker's state folder (for bulk seeding with `wrangler d1 execute --local`). */
    state: string;
  }
}

const root = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function startWorker(): Promise<{ origin: string; token: string; state: string; stop: () => Promise<void> }> {
  const state = mkdtempSync(join(tmpdir(), 'flaretrack-browser-'));
  const port = await freePort();
  const token = `ftpat-${randomBytes(16).toString('hex')}`;
  const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FLARETRACK_STATE: state,
      PORT: String(port),
      FLARETRACK_BOOTSTRAP_TOKEN: token,
      PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH}`,
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the worker did not start in time:\n${output}`)), 150_000);
    child.on('exit', (code) => fail(new Error(`scripts/start.mjs exited with ${code}:\n${output}`)));
    child.stdout!.on('data', () => {
      if (output.includes('flaretrack is running at')) {
        clearTimeout(timer);
        done();
      }
    });
  });
  child.removeAllListeners('exit');
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    rmSync(state, { recursive: true, force: true });
  };
  return { origin, token, state, stop };
}

export default async function setup(project: TestProject) {
  const worker = await startWorker();
  let server: BrowserServer;
  try {
    server = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    await worker.stop();
    throw error;
  }
  project.provide('origin', worker.origin);
  project.provide('adminToken', worker.token);
  project.provide('wsEndpoint', server.wsEndpoint());
  project.provide('state', worker.state);
  return async () => {
    await server.close();
    await worker.stop();
  };
}
