/**
 * The filter parser: MLflow's search grammar plus `OR` and parentheses, as a tree with source
 * positions. Precedence: parentheses, then `AND`, then `OR`. What an identifier means (and which
 * comparators and values it takes) is decided per search by its compiler, not here.
 */
import { InvalidInputError } from '../../errors';
import { describe, syntaxError, tokenize, type Token } from './lexer';

/** `entity.key` as written; `entity` is absent for a bare name such as `status`. */
export type Ident = { entity?: string; key: string; pos: number; text: string };

/** A literal on the right of a comparator. */
export type Literal =
  | { kind: 'string'; value: string; pos: number; text: string }
  | { kind: 'number'; value: number; pos: number; text: string };

/** The right of `IN (...)` / `NOT IN (...)`. */
export type ListValue = { kind: 'list'; items: Literal[]; pos: number; text: string };

/** The comparators of the grammar. */
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

/** One `identifier comparator value` clause. `value` is absent for IS [NOT] NULL. */
export type Comparison = { kind: 'cmp'; ident: Ident; op: Comparator; opPos: number; value?: Literal | ListValue; pos: number };

/** A filter tree. */
export type Expr = Comparison | { kind: 'and' | 'or'; left: Expr; right: Expr; pos: number };

/** One parsed order_by clause. */
export type OrderClause = { ident: Ident; ascending: boolean; text: string };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'ASC', 'DESC']);
const MAX_DEPTH = 50;
const MAX_COMPARISONS = 100;

class Parser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly field: string,
  ) {}

  get peek(): Token {
    return this.tokens[this.i];
  }

  next(): Token {
    return this.tokens[this.i++];
  }

  isWord(word: string, token = this.peek): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  fail(token: Token, expected: string): never {
    throw syntaxError(this.field, token.pos, `expected ${expected}, found ${describe(token)}`);
  }

  expr(): Expr {
    let left = this.conjunction();
    while (this.isWord('OR')) {
      const pos = this.next().pos;
      left = { kind: 'or', left, right: this.conjunction(), pos };
    }
    return left;
  }

  conjunction(): Expr {
    let left = this.primary();
    while (this.isWord('AND')) {
      const pos = this.next().pos;
      left = { kind: 'and', left, right: this.primary(), pos };
    }
    return left;
  }

  primary(): Expr {
    const token = this.peek;
    if (token.kind === 'punct' && token.text === '(') {
      if (++this.depth > MAX_DEPTH) throw syntaxError(this.field, token.pos, `parentheses nested deeper than ${MAX_DEPTH}`);
      this.next();
      const inner = this.expr();
      const close = this.peek;
      if (!(close.kind === 'punct' && close.text === ')')) this.fail(close, "')' or AND or OR");
      this.next();
      this.depth--;
      return inner;
    }
    return this.comparison();
  }

  comparison(): Comparison {
    if (++this.comparisons > MAX_COMPARISONS) throw syntaxError(this.field, this.peek.pos, `more than ${MAX_COMPARISONS} comparisons`);
    const ident = this.ident();
    const { op, opPos } = this.comparator();
    if (op === 'IS NULL' || op === 'IS NOT NULL') return { kind: 'cmp', ident, op, opPos, pos: ident.pos };
    const value = op === 'IN' || op === 'NOT IN' ? this.list() : this.literal();
    return { kind: 'cmp', ident, op, opPos, value, pos: ident.pos };
  }

  /** `segment ('.' segment)*` where a segment is a word, a `backticked` or "double-quoted" name. */
  ident(): Ident {
    const first = this.peek;
    const segments: string[] = [];
    const start = first.pos;
    let end = start;
    for (;;) {
      const token = this.peek;
      if (token.kind === 'word') {
        if (segments.length === 0 && KEYWORDS.has(token.text.toUpperCase())) this.fail(token, 'an identifier such as metrics.loss');
        segments.push(token.text);
        end = token.pos + token.text.length;
      } else if (token.kind === 'backtick' || (token.kind === 'string' && token.quote === '"')) {
        segments.push(token.value);
        end = token.pos + token.text.length;
      } else if (token.kind === 'string' && segments.length > 0) {
        segments.push(token.value);
        end = token.pos + token.text.length;
      } else {
        this.fail(token, segments.length === 0 ? 'an identifier such as metrics.loss' : 'a name after the dot');
      }
      this.next();
      const dot = this.peek;
      if (dot.kind === 'punct' && dot.text === '.' && dot.pos === end) {
        this.next();
        end = dot.pos + 1;
        continue;
      }
      break;
    }
    const text = segments.length === 1 ? segments[0] : `${segments[0]}.${segments.slice(1).join('.')}`;
    if (segments.length === 1) return { key: segments[0], pos: start, text };
    return { entity: segments[0], key: segments.slice(1).join('.'), pos: start, text };
  }

  comparator(): { op: Comparator; opPos: number } {
    const token = this.peek;
    const opPos = token.pos;
    if (token.kind === 'op') {
      this.next();
      return { op: token.text, opPos };
    }
    if (this.isWord('LIKE') || this.isWord('ILIKE') || this.isWord('IN')) {
      this.next();
      return { op: (token as { text: string }).text.toUpperCase() as Comparator, opPos };
    }
    if (this.isWord('NOT')) {
      this.next();
      if (!this.isWord('IN')) this.fail(this.peek, "IN after NOT");
      this.next();
      return { op: 'NOT IN', opPos };
    }
    if (this.isWord('IS')) {
      this.next();
      let negated = false;
      if (this.isWord('NOT')) {
        this.next();
        negated = true;
      }
      if (!this.isWord('NULL')) this.fail(this.peek, negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS');
      this.next();
      return { op: negated ? 'IS NOT NULL' : 'IS NULL', opPos };
    }
    this.fail(token, 'a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL)');
  }

  literal(): Literal {
    const token = this.peek;
    if (token.kind === 'string') {
      this.next();
      return { kind: 'string', value: token.value, pos: token.pos, text: token.text };
    }
    if (token.kind === 'number') {
      this.next();
      return { kind: 'number', value: token.value, pos: token.pos, text: token.text };
    }
    this.fail(token, "a value (a quoted string such as 'x', or a number)");
  }

  list(): ListValue {
    const open = this.peek;
    if (!(open.kind === 'punct' && open.text === '(')) this.fail(open, "a list such as ('a', 'b')");
    this.next();
    const items: Literal[] = [];
    for (;;) {
      items.push(this.literal());
      const sep = this.peek;
      if (sep.kind === 'punct' && sep.text === ',') {
        this.next();
        continue;
      }
      if (sep.kind === 'punct' && sep.text === ')') {
        this.next();
        break;
      }
      this.fail(sep, "',' or ')'");
    }
    return { kind: 'list', items, pos: open.pos, text: `(${items.map((item) => item.text).join(', ')})` };
  }
}

/** Parses a filter into a tree; an empty or blank filter is `null` (everything matches). */
export function parseFilter(text: string | undefined | null, field = 'filter'): Expr | null {
  if (text == null) return null;
  if (typeof text !== 'string') throw new InvalidInputError(`Invalid ${field}: it must be a string`, field);
  if (text.trim() === '') return null;
  const parser = new Parser(tokenize(text, field), field);
  const expr = parser.expr();
  const rest = parser.peek;
  if (rest.kind !== 'end') parser.fail(rest, 'AND, OR or the end of the filter');
  return expr;
}

/** Parses one order_by clause: `identifier [ASC|DESC]`. */
export function parseOrderClause(text: string, field = 'order_by'): OrderClause {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError(`Invalid ${field}: an order_by clause is empty`, field);
  const parser = new Parser(tokenize(text, field), field);
  const ident = parser.ident();
  let ascending = true;
  if (parser.isWord('ASC') || parser.isWord('DESC')) ascending = parser.isWord('ASC', parser.next());
  const rest = parser.peek;
  if (rest.kind !== 'end') parser.fail(rest, 'ASC, DESC or the end of the clause');
  return { ident, ascending, text };
}
