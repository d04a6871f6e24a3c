// Copies the browser libraries the UI serves from static/ (never from a CDN) out of node_modules.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'static', 'assets', 'vendor');
const files = [
  ['htmx.org/dist/htmx.min.js', 'htmx.min.js'],
  ['uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
];

mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  const source = join(root, 'node_modules', from);
  if (!existsSync(source)) throw new Error(`copy-static: ${from} is missing; run npm install`);
  copyFileSync(source, join(vendor, to));
}
