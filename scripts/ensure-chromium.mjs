/**
 * Makes sure the browser tests have their browser before any test runs: Debian's Chromium at
 * /usr/bin/chromium (or $CHROMIUM_PATH). When it is missing and this machine may install it
 * (root, apt-get present), it is installed with apt-get; otherwise the run stops at once with the
 * one line to run. The browser tests are never skipped.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';

function present() {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAptGet() {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function stop(line) {
  console.error(`The browser tests need Chromium at ${path}, which is missing. Run:\n\n  ${line}\n`);
  process.exit(1);
}

if (!present()) {
  const root = process.getuid?.() === 0;
  if (!root || !hasAptGet()) {
    stop(hasAptGet() ? 'sudo apt-get update && sudo apt-get install -y chromium' : 'CHROMIUM_PATH=/path/to/chromium npm test   # no apt-get here: any Chromium build');
  }
  console.log(`Chromium is missing at ${path}: installing Debian's chromium with apt-get…`);
  // Waits for a running apt/dpkg (another install) instead of failing on its lock.
  const apt = (args) =>
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', 'chromium'])) stop(INSTALL);
  if (!present()) stop(`${INSTALL}   # apt-get installed chromium, but not at ${path}`);
}
