/**
 * File paths inside a package. A path is relative, `/`-separated and normalised: empty and `.`
 * segments are dropped; `..` (also percent-encoded, at any depth of encoding), absolute paths,
 * Windows drives, backslashes, NUL and other control characters, and overlong paths are refused
 * with an InvalidInputError. Storage never uses these paths as keys (see storage.ts), so even a
 * path that slipped through could not name a file outside its package.
 */
import { InvalidInputError } from '../errors';

/** The longest path accepted, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 1024;
/** The longest segment (file or directory name) accepted, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;

const CONTROL = /[\u0000-\u001f\u007f]/;
const WINDOWS_DRIVE = /^[A-Za-z]:/;
const encoder = new TextEncoder();

// A segment that is `..` once decoded (`%2e%2e`, `%252e%252e`, `.%2E`...) or that hides a
// separator followed by `..` (`%2e%2e%2f`) is a traversal attempt.
function hidesTraversal(segment: string): boolean {
  let text = segment;
  for (let i = 0; i < 4 && text.includes('%'); i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return false;
    }
    if (decoded === text) return false;
    if (decoded.split(/[/\\]/).some((s) => s === '..') || CONTROL.test(decoded)) return true;
    text = decoded;
  }
  return false;
}

/**
 * Checks and normalises a path inside a package (`field` names it in errors). With
 * `allowEmpty` the package root (`""`) is accepted, as for listing a directory.
 */
export function normalizePath(raw: string, field = 'path', opts: { allowEmpty?: boolean } = {}): string {
  const bad = (why: string) => new InvalidInputError(`${field}: ${why}`, field);
  if (CONTROL.test(raw)) throw bad('control characters (NUL included) are not allowed');
  if (raw.includes('\\')) throw bad('backslashes are not allowed; separate directories with "/"');
  if (raw.startsWith('/')) throw bad('must be relative, not absolute');
  if (WINDOWS_DRIVE.test(raw)) throw bad('must be relative, not a drive path');
  if (encoder.encode(raw).length > MAX_PATH_BYTES) throw bad(`must be at most ${MAX_PATH_BYTES} bytes`);
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' || hidesTraversal(segment)) throw bad('".." segments are not allowed');
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) throw bad(`a name must be at most ${MAX_SEGMENT_BYTES} bytes`);
    segments.push(segment);
  }
  if (segments.length === 0 && !opts.allowEmpty) throw bad('must name a file');
  return segments.join('/');
}

/**
 * Decodes a percent-encoded URL path once (a malformed escape is an InvalidInputError). The
 * result still goes through `normalizePath`.
 */
export function decodeUrlPath(raw: string, field = 'path'): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError(`${field}: malformed percent-encoding`, field);
  }
}

/** The ancestors of a normalised path, nearest last: `a/b/c` → `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The half-open range [from, to) of paths under directory `dir` (normalised, `""` for the
 * root): with SQLite's byte order, exactly the paths starting with `dir/`.
 */
export function rangeUnder(dir: string): { from: string; to: string } | null {
  if (dir === '') return null;
  return { from: `${dir}/`, to: `${dir}0` }; // '0' is the byte after '/'
}
