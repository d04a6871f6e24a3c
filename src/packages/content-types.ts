/**
 * The content type recorded for a file: the one the uploader sent when it is a plain media
 * type (not a form encoding, which curl sends by default), else a guess from the extension
 * (text-like files as text/plain, as MLflow's client and server do), else
 * application/octet-stream.
 */

const TEXT = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml',
  'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'mlmodel', 'mlproject',
]);

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  pdf: 'application/pdf',
  html: 'text/html',
  htm: 'text/html',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  parquet: 'application/vnd.apache.parquet',
  pkl: 'application/octet-stream',
};

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9_.-]+=[^;,\s]{1,100}){0,4}$/;
const IGNORED = /^(application\/x-www-form-urlencoded|multipart\/)/i;

/** The type to record for `path`, given the request's Content-Type (if any). */
export function contentTypeFor(path: string, sent: string | undefined | null): string {
  const given = sent?.trim();
  if (given && MEDIA_TYPE.test(given) && !IGNORED.test(given)) return given;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? name : name.slice(dot + 1);
  if (TEXT.has(ext)) return 'text/plain';
  return BY_EXTENSION[ext] ?? 'application/octet-stream';
}

const SERVED_AS: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

/**
 * The type a file is served with: its recorded type, except that a generic `text/plain` (what
 * the MLflow client uploads every text file as) is made precise by the extension, so JSON is
 * served as `application/json`, CSV as `text/csv`.
 */
export function servedContentType(path: string, recorded: string): string {
  if (!/^text\/plain\s*(;|$)/i.test(recorded)) return recorded || 'application/octet-stream';
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && SERVED_AS[name.slice(dot + 1)]) || recorded;
}
