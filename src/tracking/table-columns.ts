/**
 * The columns of an experiment's candidates table: which params, metrics and tags it shows, as
 * `param:<key>`, `metric:<key>` and `tag:<key>`. A choice travels in the URL and is remembered
 * per user and experiment (`candidate_table_columns`); without one, every metric then every param.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidateTableColumns } from '../db/schema';
import { InvalidInputError } from '../errors';
import type { ColumnKeys } from './candidate-table';

/** A column of the candidates table. */
export type TableColumn = { kind: 'param' | 'metric' | 'tag'; key: string };

/** At most this many columns are chosen at once. */
export const MAX_CHOSEN_COLUMNS = 200;
const MAX_KEY = 250;

/** `kind:key` of a column. */
export const columnId = (c: TableColumn) => `${c.kind}:${c.key}`;

/** Columns from their `kind:key` texts, in order, without repeats; anything else is an InvalidInputError. */
export function parseColumns(texts: string[]): TableColumn[] {
  if (texts.length > MAX_CHOSEN_COLUMNS) throw new InvalidInputError(`at most ${MAX_CHOSEN_COLUMNS} columns can be shown`, 'col');
  const seen = new Set<string>();
  const columns: TableColumn[] = [];
  for (const text of texts) {
    const m = /^(param|metric|tag):(.+)$/s.exec(text);
    if (!m || m[2].length > MAX_KEY) throw new InvalidInputError(`column '${text.slice(0, 80)}' must be param:<key>, metric:<key> or tag:<key>`, 'col');
    if (seen.has(text)) continue;
    seen.add(text);
    columns.push({ kind: m[1] as TableColumn['kind'], key: m[2] });
  }
  return columns;
}

/** The columns shown when none are chosen: every metric, then every param (tags on demand). */
export const defaultColumns = (keys: ColumnKeys): TableColumn[] => [
  ...keys.metrics.map((key) => ({ kind: 'metric' as const, key })),
  ...keys.params.map((key) => ({ kind: 'param' as const, key })),
];

/** The columns `userId` last chose for the experiment, if any. */
export async function savedColumns(db: Database, userId: number, experimentId: number): Promise<TableColumn[] | undefined> {
  const [row] = await db
    .select({ columns: candidateTableColumns.columns })
    .from(candidateTableColumns)
    .where(and(eq(candidateTableColumns.userId, userId), eq(candidateTableColumns.experimentId, experimentId)));
  return row ? parseColumns(JSON.parse(row.columns) as string[]) : undefined;
}

/** Remembers `columns` as the user's choice for the experiment; none forgets it (back to the default). */
export async function saveColumns(db: Database, userId: number, experimentId: number, columns: TableColumn[]): Promise<void> {
  const where = and(eq(candidateTableColumns.userId, userId), eq(candidateTableColumns.experimentId, experimentId));
  if (columns.length === 0) {
    await db.delete(candidateTableColumns).where(where);
    return;
  }
  const text = JSON.stringify(columns.map(columnId));
  await db
    .insert(candidateTableColumns)
    .values({ userId, experimentId, columns: text, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: [candidateTableColumns.userId, candidateTableColumns.experimentId], set: { columns: text, updatedAt: Date.now() } });
}
