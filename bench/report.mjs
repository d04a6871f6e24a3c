// The one table `npm run bench` prints, and the JSON it writes with --json.
//
// Every row is "how many times worse than the floor": for times it is ours / floor, for
// throughputs floor / ours. So a ratio of 2.0 always means "half as fast as raw node:sqlite",
// and the issue's "<= 3x its floor" reads directly off the column.
import { writeFileSync } from 'node:fs';

/**
 * A row of the table.
 * @typedef {{ id: string, workload: string, unit: string, better: 'lower'|'higher', ours: number|null,
 *   floor?: number|null, target?: { op: '<='|'>=', value: number }, note?: string }} Row
 */

/** ours vs floor as "times slower than the floor" (null when there is no floor). */
export function ratioOf(row) {
  if (row.ours == null || row.floor == null || !Number.isFinite(row.ours) || !Number.isFinite(row.floor)) return null;
  if (row.ours === 0 || row.floor === 0) return null;
  return row.better === 'lower' ? row.ours / row.floor : row.floor / row.ours;
}

/** Whether a row meets its target (null when it has none or was not measured). */
export function metOf(row) {
  if (!row.target || row.ours == null || !Number.isFinite(row.ours)) return null;
  return row.target.op === '<=' ? row.ours <= row.target.value : row.ours >= row.target.value;
}

function fmt(v) {
  if (v == null || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  if (a >= 10_000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** The table as lines of text (also valid Markdown). */
export function table(rows) {
  const head = ['workload', 'unit', 'ours', 'floor', '× floor', 'target', 'met'];
  const body = rows.map((r) => {
    const ratio = ratioOf(r);
    const met = metOf(r);
    return [
      r.workload,
      r.unit,
      fmt(r.ours),
      fmt(r.floor),
      ratio == null ? '—' : `${ratio.toFixed(2)}×${ratio > 3 ? ' !' : ''}`,
      r.target ? `${r.target.op} ${fmt(r.target.value)}` : '—',
      met == null ? '—' : met ? 'yes' : 'NO',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i >= 2 && i <= 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...body.map(line)];
}

/** Writes the figures as JSON: the run's facts, every row with its ratio, and each workload's details. */
export function writeJson(path, { meta, rows, details }) {
  const out = {
    meta,
    rows: rows.map((r) => ({ ...r, ratio: ratioOf(r), met: metOf(r) })),
    details,
  };
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
}
