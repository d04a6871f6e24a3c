/**
 * The artifact browser of Candidate Detail: the candidate's package (`ml_candidate_<id>` /
 * `-`) as directories and files with sizes and download links, and an inline preview of the
 * selected file (text, JSON, CSV as a table, raster images). Its own URL state: `?path=` (a
 * directory) or `?file=` (a file), so each view can be linked and works without JavaScript.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import { InvalidInputError, NotFoundError } from '../errors';
import { candidatePackageName, ML_VERSION } from '../packages/names';
import { getFile, listDirectory, readFile, type DirEntry, type PackageFile } from '../packages/files';
import { resolvePackage, type Package } from '../packages/packages';
import { SwapLink } from './kit/components';
import { formatSize } from './format';
import { candidatePath, packageDownloadPath, packagePath, withQuery } from './paths';
import { parseCsv } from './csv';

/** How much of a file a preview reads. */
export const PREVIEW_BYTES = 256 * 1024;
/** How many CSV rows a preview shows. */
export const PREVIEW_ROWS = 100;

/** Raster images the browser may show inline (never SVG or HTML: they could run script). */
export const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

type Preview =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'json'; text: string; truncated: boolean }
  | { kind: 'csv'; rows: string[][]; truncated: boolean }
  | { kind: 'image' }
  | { kind: 'none'; reason: string };

/** What the browser shows. */
export type ArtifactView = {
  project: Project;
  candidateId: number;
  pkg: Package | undefined;
  /** The directory listed (`""` is the root). */
  dir: string;
  entries: DirEntry[];
  file?: PackageFile;
  preview?: Preview;
};

const TEXT_EXTENSIONS = /\.(txt|log|md|markdown|py|r|ipynb|yaml|yml|toml|ini|cfg|conf|sh|sql|js|ts|html?|xml|tsv|properties|env|requirements)$/i;
const TEXT_NAMES = /(^|\/)(MLmodel|Dockerfile|Makefile|LICENSE|README|requirements\.txt|conda\.yaml|python_env\.yaml)$/;

function kindOf(file: PackageFile): 'json' | 'csv' | 'image' | 'text' | 'binary' {
  const type = file.contentType.split(';')[0].trim().toLowerCase();
  const path = file.filePath;
  if (/\.json$/i.test(path) || type === 'application/json') return 'json';
  if (/\.csv$/i.test(path) || type === 'text/csv') return 'csv';
  if (INLINE_IMAGE_TYPES.has(type) || /\.(png|jpe?g|gif|webp|avif|bmp)$/i.test(path)) return 'image';
  if (type.startsWith('text/') || TEXT_EXTENSIONS.test(path) || TEXT_NAMES.test(path) || type.endsWith('+json') || type === 'application/x-yaml') return 'text';
  return 'binary';
}

async function readHead(bucket: R2Bucket, file: PackageFile): Promise<{ text: string; truncated: boolean; binary: boolean }> {
  const length = Math.min(file.size, PREVIEW_BYTES);
  if (length === 0) return { text: '', truncated: false, binary: false };
  const bytes = new Uint8Array(await new Response(await readFile(bucket, file, { offset: 0, length })).arrayBuffer());
  const binary = bytes.subarray(0, 8000).includes(0);
  return { text: new TextDecoder().decode(bytes), truncated: file.size > length, binary };
}

async function previewOf(bucket: R2Bucket, file: PackageFile): Promise<Preview> {
  const kind = kindOf(file);
  if (kind === 'image') return { kind: 'image' };
  if (kind === 'binary') return { kind: 'none', reason: `No preview for ${file.contentType} files; download it instead.` };
  const head = await readHead(bucket, file);
  if (head.binary) return { kind: 'none', reason: 'This file holds binary data; download it instead.' };
  if (kind === 'json' && !head.truncated) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(head.text), null, 2), truncated: false };
    } catch {
      return { kind: 'text', text: head.text, truncated: false };
    }
  }
  if (kind === 'csv') {
    // the header, PREVIEW_ROWS rows, and one more to tell whether there are more
    const rows = parseCsv(head.text, PREVIEW_ROWS + 2);
    return { kind: 'csv', rows: rows.slice(0, PREVIEW_ROWS + 1), truncated: head.truncated || rows.length > PREVIEW_ROWS + 1 };
  }
  return { kind: kind === 'json' ? 'json' : 'text', text: head.text, truncated: head.truncated };
}

/** Reads the browser's state from `?path=` / `?file=` and loads what it shows. */
export async function loadArtifactView(c: Context<AppEnv>, candidateId: number): Promise<ArtifactView> {
  const { project } = c.get('access');
  const db = c.get('db');
  const pkg = await resolvePackage(db, project.id, candidatePackageName(candidateId), ML_VERSION);
  const filePath = c.req.query('file');
  const view: ArtifactView = { project, candidateId, pkg, dir: '', entries: [] };
  try {
    if (filePath) {
      view.file = await getFile(db, pkg, filePath);
      view.dir = view.file.filePath.includes('/') ? view.file.filePath.slice(0, view.file.filePath.lastIndexOf('/')) : '';
      view.preview = await previewOf(c.env.ARTIFACTS, view.file);
    } else {
      view.dir = (c.req.query('path') ?? '').replace(/^\/+|\/+$/g, '');
    }
    view.entries = await listDirectory(db, pkg, view.dir);
  } catch (error) {
    if (!(error instanceof InvalidInputError) && !(error instanceof NotFoundError)) throw error;
    // A path that is not there shows the root with a note, as a file browser would.
    view.file = undefined;
    view.preview = { kind: 'none', reason: error.message };
    view.dir = '';
    view.entries = await listDirectory(db, pkg, '');
  }
  return view;
}

/** The artifact browser section (`#artifacts`), also the fragment htmx swaps. */
export function ArtifactBrowser(props: { view: ArtifactView }) {
  const { view } = props;
  const base = candidatePath(view.project, view.candidateId);
  const at = (query: Record<string, string | undefined>) => `${withQuery(base, query)}#artifacts`;
  const parts = view.dir ? view.dir.split('/') : [];
  return (
    <section id="artifacts" class="results" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      {!view.pkg ? (
        <p class="empty">No artifacts logged. Log some with <code>mlflow.log_artifact()</code>.</p>
      ) : (
        <>
          <p class="muted">
            Stored in the package <a href={packagePath(view.project, view.pkg.id)}>{view.pkg.name}</a> (version <code>{view.pkg.version}</code>).
          </p>
          <nav class="crumbs inner" aria-label="Artifact path">
            <ol>
              <li>
                <SwapLink href={at({})} target="#artifacts">
                  artifacts
                </SwapLink>
              </li>
              {parts.map((part, i) => (
                <li>
                  <SwapLink href={at({ path: parts.slice(0, i + 1).join('/') })} target="#artifacts">
                    {part}
                  </SwapLink>
                </li>
              ))}
              {view.file ? (
                <li>
                  <span aria-current="page">{view.file.filePath.split('/').pop()}</span>
                </li>
              ) : null}
            </ol>
          </nav>
          <div class="table-wrap">
            <table class="artifacts">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">
                    Size
                  </th>
                  <th scope="col">Download</th>
                </tr>
              </thead>
              <tbody>
                {view.dir ? (
                  <tr>
                    <td class="name">
                      <SwapLink href={at({ path: parts.slice(0, -1).join('/') || undefined })} target="#artifacts">
                        ../
                      </SwapLink>
                    </td>
                    <td></td>
                    <td></td>
                  </tr>
                ) : null}
                {view.entries.map((e) => {
                  const full = view.dir ? `${view.dir}/${e.path}` : e.path;
                  return (
                    <tr class={view.file?.filePath === full ? 'selected' : undefined}>
                      <td class="name">
                        {e.isDir ? (
                          <SwapLink href={at({ path: full })} target="#artifacts">
                            {e.path}/
                          </SwapLink>
                        ) : (
                          <SwapLink href={at({ file: full })} target="#artifacts">
                            {e.path}
                          </SwapLink>
                        )}
                      </td>
                      <td class="num">{e.isDir ? '' : formatSize(e.size ?? 0)}</td>
                      <td>
                        {e.isDir ? null : (
                          <a href={packageDownloadPath(view.project, view.pkg!.id, full)} download aria-label={`Download ${e.path}`}>
                            Download
                          </a>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {view.entries.length === 0 ? <p class="empty">This directory is empty.</p> : null}
          {view.preview ? <PreviewBox view={view} /> : null}
        </>
      )}
    </section>
  );
}

function PreviewBox(props: { view: ArtifactView }) {
  const { file, preview, pkg, project } = props.view;
  if (!preview) return null;
  const download = file && pkg ? packageDownloadPath(project, pkg.id, file.filePath) : undefined;
  return (
    <figure class="card preview" aria-label="Preview">
      {file ? (
        <figcaption class="copy-row">
          <strong>{file.filePath}</strong>
          <span class="muted">
            {formatSize(file.size)} · {file.contentType}
          </span>
          {download ? (
            <a class="button secondary" href={download} download>
              Download
            </a>
          ) : null}
        </figcaption>
      ) : null}
      {preview.kind === 'image' && download ? <img class="preview-image" src={packageDownloadPath(project, pkg!.id, file!.filePath, true)} alt={`Preview of ${file!.filePath}`} /> : null}
      {preview.kind === 'text' || preview.kind === 'json' ? <pre class="preview">{preview.text}</pre> : null}
      {preview.kind === 'csv' ? (
        <div class="table-wrap">
          <table class="csv-preview">
            <thead>
              <tr>
                {(preview.rows[0] ?? []).map((h) => (
                  <th scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.slice(1).map((row) => (
                <tr>
                  {row.map((cell) => (
                    <td class="text">{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {preview.kind === 'none' ? <p class="muted">{preview.reason}</p> : null}
      {'truncated' in preview && preview.truncated ? <p class="muted">Only the beginning of the file is shown; download it for the rest.</p> : null}
    </figure>
  );
}
