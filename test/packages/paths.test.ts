import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { ancestorsOf, normalizePath, rangeUnder } from '../../src/packages/paths';

const refused = (raw: string) => {
  expect(() => normalizePath(raw), raw).toThrow(InvalidInputError);
};

describe('normalizePath', () => {
  it('keeps relative paths and drops empty and "." segments', () => {
    expect(normalizePath('a/b/c.txt')).toBe('a/b/c.txt');
    expect(normalizePath('a//b/./c.txt/')).toBe('a/b/c.txt');
    expect(normalizePath('./model/MLmodel')).toBe('model/MLmodel');
    expect(normalizePath('name with spaces/ünïcødé.bin')).toBe('name with spaces/ünïcødé.bin');
    expect(normalizePath('%41.txt')).toBe('%41.txt');
  });

  it('refuses ".." in every encoding', () => {
    for (const raw of ['..', '../x', 'a/../b', 'a/..', '%2e%2e/x', 'a/%2E%2E/b', '%2e%2e%2fetc', 'a/.%2e/b', '%252e%252e/x', '%2e%2e%5cx', 'x%2F..%2Fy']) refused(raw);
  });

  it('refuses absolute paths, drives, backslashes and control characters', () => {
    for (const raw of ['/etc/passwd', 'C:/x', 'c:x', 'a\\b', '..\\x', 'a\u0000b', 'a\nb', 'a\tb', 'a\u007fb', 'a%00b']) refused(raw);
  });

  it('refuses overlong paths and names, and an empty file path', () => {
    refused('a/'.repeat(600));
    refused('x'.repeat(256));
    expect(normalizePath('x'.repeat(255))).toHaveLength(255);
    refused('');
    refused('./');
    expect(normalizePath('', 'path', { allowEmpty: true })).toBe('');
  });

  it('names the field in the error', () => {
    expect(() => normalizePath('../x', 'file_path')).toThrow(/^file_path: /);
  });
});

describe('path helpers', () => {
  it('lists ancestors and the range of paths under a directory', () => {
    expect(ancestorsOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('c')).toEqual([]);
    expect(rangeUnder('')).toBeNull();
    const range = rangeUnder('dir')!;
    for (const inside of ['dir/a', 'dir/b/c', 'dir/\u{1F600}']) expect(inside >= range.from && inside < range.to).toBe(true);
    for (const outside of ['dir', 'dir0', 'dir-x/a', 'dirx/a', 'di']) expect(outside >= range.from && outside < range.to).toBe(false);
  });
});
