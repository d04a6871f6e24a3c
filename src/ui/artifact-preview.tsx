/**
 * The preview of one artifact file, by kind: CSV and TSV as a table of the first rows with
 * "Show more", JSON as a typed tree folded below the second level, Markdown rendered (markdown.ts:
 * raw HTML never passes), raster images and SVG as `<img>` (an SVG there runs no script), HTML in a
 * sandboxed frame (no scripts, no same origin), PDF in the browser's viewer, other text with line
 * numbers. Untrusted names and contents are always text in the page, never markup.
 */
import type { Child } from 'hono/jsx';
import type { PackageFile } from '../packages/files';
import { readFile } from '../packages/files';
import { parseCsv } from './csv';
import { formatSize } from './format';
import { Copyable, SwapLink } from './kit/components';
import { markdownHtml } from './markdown';
import { raw } from 'hono/html';

/** How much of a file a preview reads. */
export const PREVIEW_BYTES = 256 * 1024;
/** How many table rows a preview shows first; "Show more" adds as many again. */
export const PREVIEW_ROWS = 20;
/** At most this many table rows are ever shown (download the file for the rest). */
export const MAX_PREVIEW_ROWS = 1000;
/** At most this many values of a JSON document are drawn. */
export const MAX_JSON_NODES = 2000;

/** Raster images the browser may show inline (SVG goes through `<img>` only, where it runs no script). */
export const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** What a file is shown as. */
export type PreviewKind = 'table' | 'json' | 'markdown' | 'image' | 'svg' | 'html' | 'pdf' | 'text' | 'binary';

/** A file's preview, ready to draw. */
export type Preview =
  | { kind: 'table'; rows: string[][]; more: boolean; shown: number }
  | { kind: 'json'; value: unknown }
  | { kind: 'markdown'; html: string; truncated: boolean }
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'image' | 'svg' | 'html' | 'pdf' }
  | { kind: 'none'; reason: string };

const TEXT_EXTENSIONS = /\.(txt|log|err|py|r|ipynb|yaml|yml|toml|ini|cfg|conf|sh|sql|js|ts|xml|properties|env|rst|requirements)$/i;
const TEXT_NAMES = /(^|\/)(MLmodel|MLproject|Dockerfile|Makefile|LICENSE|README|requirements\.txt|conda\.yaml|python_env\.yaml)$/;

/** How `file` is previewed, from its name first (MLflow uploads every text file as text/plain), then its type. */
export function previewKind(file: Pick<PackageFile, 'filePath' | 'contentType'>): PreviewKind {
  const type = file.contentType.split(';')[0].trim().toLowerCase();
  const path = file.filePath;
  if (/\.(csv|tsv)$/i.test(path) || type === 'text/csv' || type === 'text/tab-separated-values') return 'table';
  if (/\.json$/i.test(path) || type === 'application/json' || type.endsWith('+json')) return 'json';
  if (/\.(md|markdown)$/i.test(path) || type === 'text/markdown') return 'markdown';
  if (/\.svg$/i.test(path) || type === 'image/svg+xml') return 'svg';
  if (INLINE_IMAGE_TYPES.has(type) || /\.(png|jpe?g|gif|webp|avif|bmp)$/i.test(path)) return 'image';
  if (/\.html?$/i.test(path) || type === 'text/html') return 'html';
  if (/\.pdf$/i.test(path) || type === 'application/pdf') return 'pdf';
  if (type.startsWith('text/') || TEXT_EXTENSIONS.test(path) || TEXT_NAMES.test(path) || type === 'application/x-yaml') return 'text';
  return 'binary';
}

async function readHead(bucket: R2Bucket, file: PackageFile, max: number): Promise<{ text: string; truncated: boolean; binary: boolean }> {
  const length = Math.min(file.size, max);
  if (length === 0) return { text: '', truncated: false, binary: false };
  const bytes = new Uint8Array(await new Response(await readFile(bucket, file, { offset: 0, length })).arrayBuffer());
  const binary = bytes.subarray(0, 8000).includes(0);
  return { text: new TextDecoder().decode(bytes), truncated: file.size > length, binary };
}

/** Reads what the preview of `file` needs; `rows` is how many table rows to show. */
export async function loadPreview(bucket: R2Bucket, file: PackageFile, rows = PREVIEW_ROWS): Promise<Preview> {
  const kind = previewKind(file);
  if (kind === 'image' || kind === 'svg' || kind === 'html' || kind === 'pdf') return { kind };
  if (kind === 'binary') return { kind: 'none', reason: `No preview for ${file.contentType} files; download it instead.` };
  const shown = Math.min(Math.max(PREVIEW_ROWS, Math.floor(rows)), MAX_PREVIEW_ROWS);
  const head = await readHead(bucket, file, kind === 'table' && shown > PREVIEW_ROWS ? PREVIEW_BYTES * 4 : PREVIEW_BYTES);
  if (head.binary) return { kind: 'none', reason: 'This file holds binary data; download it instead.' };
  if (kind === 'table') {
    // the header, `shown` rows, and one more to tell whether there are more
    const parsed = parseCsv(head.text, shown + 2, /\.tsv$/i.test(file.filePath) || file.contentType.startsWith('text/tab-separated-values') ? '\t' : ',');
    return { kind: 'table', rows: parsed.slice(0, shown + 1), more: head.truncated || parsed.length > shown + 1, shown };
  }
  if (kind === 'json' && !head.truncated) {
    try {
      return { kind: 'json', value: JSON.parse(head.text) };
    } catch {
      return { kind: 'text', text: head.text, truncated: false };
    }
  }
  if (kind === 'markdown') return { kind: 'markdown', html: markdownHtml(head.text), truncated: head.truncated };
  return { kind: 'text', text: head.text, truncated: head.truncated };
}

/** Where a preview's links lead. */
export type PreviewLinks = {
  /** The file's bytes as an attachment. */
  download: string;
  /** The file's bytes for an `<img>` or a frame. */
  inline: string;
  /** The preview with `rows` table rows (for "Show more"), and the element it replaces. */
  more: (rows: number) => string;
  target: string;
  /** The Python line that downloads the file with the MLflow client. */
  clientLine: string;
};

/** A file's preview box: name, size, download, the client's download line, and the content. */
export function PreviewBox(props: { file: PackageFile; preview: Preview; links: PreviewLinks }) {
  const { file, preview, links } = props;
  const name = file.filePath.split('/').pop() ?? file.filePath;
  return (
    <figure class="card preview" aria-label={`Preview of ${name}`} data-kind={preview.kind}>
      <figcaption>
        <div class="copy-row">
          <strong class="file-name">{file.filePath}</strong>
          <span class="muted file-size">{formatSize(file.size)}</span>
          <a class="button secondary" href={links.download} download>
            Download
          </a>
        </div>
        <Copyable id="download-line" text={links.clientLine} />
      </figcaption>
      <PreviewContent file={file} preview={preview} links={links} name={name} />
    </figure>
  );
}

function PreviewContent(props: { file: PackageFile; preview: Preview; links: PreviewLinks; name: string }): Child {
  const { preview, links, name } = props;
  switch (preview.kind) {
    case 'image':
    case 'svg':
      return <img class="preview-image" src={links.inline} alt={`Preview of ${name}`} />;
    case 'html':
      // no allow-scripts, no allow-same-origin: the page is shown, its scripts never run
      return <iframe class="preview-frame" sandbox="" src={links.inline} title={`Preview of ${name}`} referrerpolicy="no-referrer"></iframe>;
    case 'pdf':
      return <iframe class="preview-frame pdf" src={links.inline} title={`Preview of ${name}`}></iframe>;
    case 'markdown':
      return (
        <>
          {raw(`<div class="markdown">${preview.html}</div>`)}
          {preview.truncated ? <Truncated /> : null}
        </>
      );
    case 'json':
      return (
        <div class="json-tree">
          <JsonNode value={preview.value} depth={0} budget={{ left: MAX_JSON_NODES }} />
        </div>
      );
    case 'table':
      return <TablePreview preview={preview} links={links} />;
    case 'text':
      return (
        <>
          <pre class="preview numbered">
            {preview.text.replace(/\r?\n$/, '').split(/\r?\n/).map((line) => (
              <span class="line">{line + '\n'}</span>
            ))}
          </pre>
          {preview.truncated ? <Truncated /> : null}
        </>
      );
    case 'none':
      return <p class="muted">{preview.reason}</p>;
  }
}

const Truncated = () => <p class="muted">Only the beginning of the file is shown; download it for the rest.</p>;

function TablePreview(props: { preview: Extract<Preview, { kind: 'table' }>; links: PreviewLinks }) {
  const { rows, more, shown } = props.preview;
  const body = rows.slice(1);
  return (
    <>
      <div class="table-wrap preview-table">
        <table class="csv-preview">
          <thead>
            <tr>
              {(rows[0] ?? []).map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row) => (
              <tr>
                {row.map((cell) => (
                  <td class="text">{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted table-count">
        {more ? `The first ${body.length} rows.` : `All ${body.length} rows.`}{' '}
        {more && shown < MAX_PREVIEW_ROWS ? (
          <SwapLink href={props.links.more(Math.min(shown * 5, MAX_PREVIEW_ROWS))} target={props.links.target}>
            Show more
          </SwapLink>
        ) : more ? (
          'Download the file for the rest.'
        ) : null}
      </p>
    </>
  );
}

type Budget = { left: number };

/** One JSON value with its type; objects and arrays fold (open for the first two levels). */
function JsonNode(props: { value: unknown; depth: number; budget: Budget; label?: string }): Child {
  const { value, depth, budget } = props;
  budget.left--;
  const label = props.label !== undefined ? <span class="json-key">{props.label}: </span> : null;
  if (budget.left < 0) return depth === 0 || budget.left === -1 ? <div class="muted">… (download the file for the rest)</div> : null;
  if (value === null || typeof value !== 'object') {
    const type = value === null ? 'null' : typeof value;
    return (
      <div class="json-leaf">
        {label}
        <span class={`json-${type}`} title={type}>
          {typeof value === 'string' ? JSON.stringify(value) : String(value)}
        </span>
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `array [${entries.length}]` : `object {${entries.length}}`;
  return (
    <details class="json-branch" open={depth < 2}>
      <summary>
        {label}
        <span class="json-type">{summary}</span>
      </summary>
      {entries.map(([k, v]) => (
        <JsonNode value={v} depth={depth + 1} budget={budget} label={k} />
      ))}
    </details>
  );
}
