import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors';
import { parseFilter, parseOrderClause, type Expr } from '../../../src/tracking/search/parser';

/** A compact rendering of a tree, to compare shapes. */
function show(expr: Expr | null): string {
  if (!expr) return '';
  if (expr.kind === 'cmp') {
    const { ident, op, value } = expr;
    const name = ident.entity === undefined ? `[${ident.key}]` : `${ident.entity}[${ident.key}]`;
    if (!value) return `${name} ${op}`;
    const text = value.kind === 'list' ? `(${value.items.map((i) => JSON.stringify(i.value)).join(',')})` : JSON.stringify(value.value);
    return `${name} ${op} ${text}`;
  }
  return `(${show(expr.left)} ${expr.kind.toUpperCase()} ${show(expr.right)})`;
}

function errorOf(filter: string): InvalidInputError {
  try {
    parseFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe('parseFilter', () => {
  it('reads MLflow filters: every kind of identifier, comparator and literal', () => {
    expect(show(parseFilter("metrics.loss < 1 and params.lr = '0.01'"))).toBe('(metrics[loss] < 1 AND params[lr] = "0.01")');
    expect(show(parseFilter('attributes.status = "FAILED"'))).toBe('attributes[status] = "FAILED"');
    expect(show(parseFilter("status != 'RUNNING'"))).toBe('[status] != "RUNNING"');
    expect(show(parseFilter('metrics.acc >= -1.5e-3'))).toBe('metrics[acc] >= -0.0015');
    expect(show(parseFilter('metrics.acc <= .5'))).toBe('metrics[acc] <= 0.5');
    expect(show(parseFilter("tags.team LIKE 'ml%' AND tags.x ILIKE '%A_'"))).toBe('(tags[team] LIKE "ml%" AND tags[x] ILIKE "%A_")');
    expect(show(parseFilter("attributes.run_id IN ('a', 'b')"))).toBe('attributes[run_id] IN ("a","b")');
    expect(show(parseFilter("datasets.name not in ('train')"))).toBe('datasets[name] NOT IN ("train")');
    expect(show(parseFilter('tags.note IS NULL AND params.p is not null'))).toBe('(tags[note] IS NULL AND params[p] IS NOT NULL)');
    expect(show(parseFilter('metrics.m1>0.5'))).toBe('metrics[m1] > 0.5');
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   ')).toBeNull();
    expect(parseFilter(undefined)).toBeNull();
  });

  it('quotes keys with backticks or double quotes, and keeps dotted keys whole', () => {
    expect(show(parseFilter("tag.`mlflow.prompt.is_prompt` != 'true'"))).toBe('tag[mlflow.prompt.is_prompt] != "true"');
    expect(show(parseFilter('metrics."error rate" < 3'))).toBe('metrics[error rate] < 3');
    expect(show(parseFilter("tags.mlflow.runName = 'x'"))).toBe('tags[mlflow.runName] = "x"');
    expect(show(parseFilter('`metrics`.`my-metric` > 0'))).toBe('metrics[my-metric] > 0');
    expect(show(parseFilter('metrics.1st > 0'))).toBe('metrics[1st] > 0');
    expect(show(parseFilter("params.`it``s` = 'v'"))).toBe('params[it`s] = "v"');
  });

  it('unescapes doubled and backslashed quotes inside strings', () => {
    expect(show(parseFilter("params.p = 'it''s'"))).toBe('params[p] = "it\'s"');
    expect(show(parseFilter("params.p = 'it\\'s'"))).toBe('params[p] = "it\'s"');
    expect(show(parseFilter('params.p = "say ""hi"""'))).toBe('params[p] = "say \\"hi\\""');
  });

  it('binds AND tighter than OR, and parentheses tighter than both', () => {
    expect(show(parseFilter('metrics.a = 1 OR metrics.b = 2 AND metrics.c = 3'))).toBe('(metrics[a] = 1 OR (metrics[b] = 2 AND metrics[c] = 3))');
    expect(show(parseFilter('metrics.a = 1 AND metrics.b = 2 OR metrics.c = 3'))).toBe('((metrics[a] = 1 AND metrics[b] = 2) OR metrics[c] = 3)');
    expect(show(parseFilter('(metrics.a = 1 OR metrics.b = 2) AND metrics.c = 3'))).toBe('((metrics[a] = 1 OR metrics[b] = 2) AND metrics[c] = 3)');
    expect(show(parseFilter('((metrics.a = 1))'))).toBe('metrics[a] = 1');
    expect(show(parseFilter('metrics.a = 1 or metrics.b = 2 or metrics.c = 3'))).toBe('((metrics[a] = 1 OR metrics[b] = 2) OR metrics[c] = 3)');
  });

  it('names the column of a malformed filter', () => {
    expect(errorOf('metrics.x xyz 1').message).toBe(
      "Invalid filter at column 11: expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL), found 'xyz'",
    );
    expect(errorOf("params.p = 'open").message).toBe('Invalid filter at column 12: unterminated string starting here');
    expect(errorOf('metrics.a > 1 metrics.b > 2').message).toMatch(/^Invalid filter at column 15: expected AND, OR or the end of the filter, found 'metrics'/);
    expect(errorOf('(metrics.a > 1').message).toMatch(/^Invalid filter at column 15: expected '\)' or AND or OR, found the end of the text/);
    expect(errorOf('metrics.a > ').message).toMatch(/^Invalid filter at column 13: expected a value/);
    expect(errorOf('metrics.a > 1 AND').message).toMatch(/^Invalid filter at column 18: expected an identifier/);
    expect(errorOf('metrics.a ~ 1').message).toBe("Invalid filter at column 11: unexpected character '~'");
    expect(errorOf('metrics.a = 1x').message).toMatch(/^Invalid filter at column 13: malformed number/);
    expect(errorOf("run_id IN ()").message).toMatch(/^Invalid filter at column 12: expected a value/);
    expect(errorOf("run_id IN 'a'").message).toMatch(/^Invalid filter at column 11: expected a list/);
    expect(errorOf('AND metrics.a = 1').message).toMatch(/^Invalid filter at column 1: expected an identifier/);
    expect(errorOf('metrics. = 1').message).toMatch(/^Invalid filter at column 10: expected a name after the dot/);
    expect(errorOf('tags.x IS 1').message).toMatch(/^Invalid filter at column 11: expected NULL or NOT NULL after IS/);
    expect(errorOf('tags.x NOT LIKE 1').message).toMatch(/^Invalid filter at column 12: expected IN after NOT/);
    expect(errorOf('metrics.a = 1 OR OR metrics.b = 2').field).toBe('filter');
  });

  it('refuses absurd nesting, length and clause counts without overflowing', () => {
    expect(errorOf(`${'('.repeat(5000)}metrics.a = 1${')'.repeat(5000)}`).message).toMatch(/nested deeper than 50/);
    expect(errorOf(Array.from({ length: 101 }, (_, i) => `metrics.m${i} > 0`).join(' AND ')).message).toMatch(/more than 100 comparisons/);
    expect(errorOf(`params.p = '${'x'.repeat(30_000)}'`).message).toMatch(/longer than 20000 characters/);
  });

  it('answers any garbage with an InvalidInputError or a tree, never anything else', () => {
    const alphabet = ['metrics', 'params', 'tags', '.', '`', "'", '"', '(', ')', ',', '=', '!=', '<', '>=', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', ' ', '1', '-', 'x', '\\', '\n', '\u0000', 'é', '🙂', ';', '--', '/*'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let n = 0; n < 3000; n++) {
      const length = 1 + Math.floor(random() * 12);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(random() < 0.5 ? ' ' : '');
      try {
        parseFilter(text);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        expect(error.message).toMatch(/^Invalid filter/);
      }
    }
  });
});

describe('parseOrderClause', () => {
  it('reads identifier and direction', () => {
    expect(parseOrderClause('metrics.loss ASC')).toMatchObject({ ident: { entity: 'metrics', key: 'loss' }, ascending: true });
    expect(parseOrderClause('attributes.start_time desc')).toMatchObject({ ident: { entity: 'attributes', key: 'start_time' }, ascending: false });
    expect(parseOrderClause('tags.`my tag`')).toMatchObject({ ident: { entity: 'tags', key: 'my tag' }, ascending: true });
    expect(parseOrderClause('name')).toMatchObject({ ident: { key: 'name' }, ascending: true });
  });

  it('refuses anything else with the column', () => {
    expect(() => parseOrderClause('metrics.loss sideways', 'order_by[0]')).toThrow("Invalid order_by[0] at column 14: expected ASC, DESC or the end of the clause, found 'sideways'");
    expect(() => parseOrderClause('')).toThrow(InvalidInputError);
    expect(() => parseOrderClause('metrics.loss DESC, name')).toThrow(/column 18/);
  });
});
