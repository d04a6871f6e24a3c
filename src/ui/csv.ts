/**
 * CSV: the candidates' CSV, streamed a page of ids at a time (a 10-line RFC 4180 escaper: no library
 * needed). Columns: run id, name, status, user, start and end time (ISO), then
 * `params.<key>` and `metrics.<key>` columns, metric values at full precision.
 */
import type { SearchPage } from '../tracking/search';
import type { CandidateRow } from '../tracking/candidate-table';

/** Quotes a field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'` (OWASP's CSV injection advice). A number (`-0.5`, a param that reads as
 * one) is left as it is, so it stays a number.
 */
export function textCell(value: string): string {
  if (!/^[=+\-@\t\r]/.test(value)) return value;
  return value.trim() !== '' && Number.isFinite(Number(value)) ? value : `'${value}`;
}

const csvLine = (fields: string[]) => `${fields.map(csvField).join(',')}\r\n`;
const iso = (ms: number | null) => (ms == null ? '' : new Date(ms).toISOString());
const metricText = (v: number | undefined) => (v === undefined ? '' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));

/** A stream of the CSV: the header, then the rows of every page the search yields, pulled as the client reads. */
export function candidateCsv(
  keys: { params: string[]; metrics: string[] },
  first: SearchPage<number>,
  nextPage: (token: string) => Promise<SearchPage<number>>,
  loadRows: (ids: number[]) => Promise<CandidateRow[]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let current: SearchPage<number> | null = first;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        const header = ['run_id', 'name', 'status', 'user', 'start_time', 'end_time', ...keys.params.map((k) => `params.${k}`), ...keys.metrics.map((k) => `metrics.${k}`)];
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      if (!current) return controller.close();
      const page: SearchPage<number> = current;
      const rows = await loadRows(page.ids);
      const text = rows
        .map((r) =>
          csvLine([
            r.runId,
            textCell(r.name),
            r.status,
            textCell(r.user),
            iso(r.startTime),
            iso(r.endTime),
            ...keys.params.map((k) => textCell(r.params.get(k) ?? '')),
            ...keys.metrics.map((k) => metricText(r.metrics.get(k))),
          ]),
        )
        .join('');
      current = page.nextPageToken ? await nextPage(page.nextPageToken) : null;
      if (text) controller.enqueue(encoder.encode(text));
      if (!current) controller.close();
    },
  });
}

/** Parses CSV text (RFC 4180 quoting; `delimiter` `\t` for TSV) into at most `maxRows` rows; a cut-off last line is kept as is. */
export function parseCsv(text: string, maxRows: number, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += ch;
  }
  if ((field !== '' || row.length > 0) && rows.length < maxRows) rows.push([...row, field]);
  return rows;
}
