/**
 * The filter lexer: filter text → tokens, each with its 0-based offset in the text so that every
 * error can name the column where it happened.
 */
import { InvalidInputError } from '../../errors';

/** One token of a filter or order_by clause. */
export type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; quote: "'" | '"'; value: string; pos: number; text: string }
  | { kind: 'backtick'; value: string; pos: number; text: string }
  | { kind: 'number'; value: number; pos: number; text: string }
  | { kind: 'op'; text: '=' | '!=' | '<' | '<=' | '>' | '>='; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.'; pos: number }
  | { kind: 'end'; pos: number };

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 20_000;

/** An InvalidInputError that names the 1-based column of `pos`. */
export function syntaxError(field: string, pos: number, message: string): InvalidInputError {
  return new InvalidInputError(`Invalid ${field} at column ${pos + 1}: ${message}`, field);
}

/** How a token reads in an error message. */
export function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the text' : `'${clip(token.text)}'`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;

/**
 * Splits `text` into tokens. Words are letters, digits and `_` (not starting with a digit, except
 * right after a `.` so that `metrics.1st` names a key); strings are single- or double-quoted, with
 * the quote doubled or backslash-escaped inside; backticks quote names; numbers may carry a sign,
 * a fraction and an exponent.
 */
export function tokenize(text: string, field = 'filter'): Token[] {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new InvalidInputError(`Invalid ${field}: longer than ${MAX_FILTER_LENGTH} characters`, field);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const previous = tokens[tokens.length - 1];
    const afterDot = previous?.kind === 'punct' && previous.text === '.' && previous.pos === start - 1;
    if (afterDot && WORD_PART.test(ch)) {
      while (i < text.length && WORD_PART.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
      continue;
    }
    if (WORD_START.test(ch)) {
      while (i < text.length && WORD_PART.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let value = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i];
        if (c === '\\' && (text[i + 1] === ch || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
        } else if (c === ch && text[i + 1] === ch) {
          value += ch;
          i += 2;
        } else if (c === ch) {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw syntaxError(field, start, `unterminated ${ch === '`' ? 'backtick name' : 'string'} starting here`);
      const raw = text.slice(start, i);
      if (ch === '`') tokens.push({ kind: 'backtick', value, pos: start, text: raw });
      else tokens.push({ kind: 'string', quote: ch, value, pos: start, text: raw });
      continue;
    }
    const signed = (ch === '-' || ch === '+') && (DIGIT.test(text[i + 1] ?? '') || (text[i + 1] === '.' && DIGIT.test(text[i + 2] ?? '')));
    if (DIGIT.test(ch) || signed || (ch === '.' && DIGIT.test(text[i + 1] ?? '') && !afterWordOrName(previous, start))) {
      const match = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const raw = match![0];
      i += raw.length;
      if (i < text.length && WORD_PART.test(text[i])) {
        throw syntaxError(field, start, `malformed number '${clip(text.slice(start, i + 1))}'`);
      }
      tokens.push({ kind: 'number', value: Number(raw), pos: start, text: raw });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, pos: start });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, pos: start });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '.') {
      tokens.push({ kind: 'punct', text: ch, pos: start });
      i++;
      continue;
    }
    throw syntaxError(field, start, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

/** A `.` right after a name continues the name (`metrics.x`), it does not start a number. */
function afterWordOrName(previous: Token | undefined, start: number): boolean {
  if (!previous) return false;
  const end = previous.pos + ('text' in previous ? previous.text.length : 0);
  return end === start && (previous.kind === 'word' || previous.kind === 'backtick' || previous.kind === 'string');
}

/**
 * The lexer's inverse for one string or name: `text` wrapped in `mark` (`'` a string value, `` ` ``
 * a name such as a metric key) with backslashes and the mark escaped, so that `tokenize` reads
 * back exactly `text` as one token. Every filter or order_by built from user input quotes with it.
 */
export function quote(text: string, mark: "'" | '`' = "'"): string {
  return `${mark}${text.replaceAll('\\', '\\\\').replaceAll(mark, mark + mark)}${mark}`;
}
