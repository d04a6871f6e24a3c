import { describe, expect, it } from 'vitest';
import { quote, tokenize } from '../../../src/tracking/search/lexer';
import { parseFilter, parseOrderClause } from '../../../src/tracking/search/parser';

/** Names and values a user may type: quotes of every kind, backslashes, doubled marks, keywords, unicode, spaces. */
const ODD = [
  '',
  'plain',
  "it's",
  "''",
  'back`tick',
  '``',
  'a\\b',
  '\\',
  "\\'",
  '\\`',
  'ends with backslash\\',
  '"double"',
  'metrics.acc > 0.9 OR 1=1',
  ' spaced  out ',
  'AND',
  'línea\nnueva\ttab',
  '名前 😀',
  "%_'`\\\"",
];

describe('quote (the lexer read backwards)', () => {
  it.each(ODD)('a string value %j reads back as one string token holding exactly it', (text) => {
    const tokens = tokenize(quote(text));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatchObject({ kind: 'string', value: text });
    expect(tokens[1].kind).toBe('end');
  });

  it.each(ODD)('a name %j reads back as one backticked name holding exactly it', (text) => {
    const tokens = tokenize(quote(text, '`'));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatchObject({ kind: 'backtick', value: text });
  });

  it.each(ODD.filter(Boolean))('a filter and an order_by built with it keep the key and value %j whole', (text) => {
    const expr = parseFilter(`params.${quote(text, '`')} = ${quote(text)} AND tags.team = 'ml'`);
    expect(expr).toMatchObject({ kind: 'and', left: { kind: 'cmp', ident: { entity: 'params', key: text }, value: { value: text } } });
    expect(parseOrderClause(`metrics.${quote(text, '`')} DESC`, 'order_by')).toMatchObject({ ident: { entity: 'metrics', key: text }, ascending: false });
  });
});
