/**
 * The file browser of a candidate ("Files of this run") and of a logged model ("Files of this
 * model"): the package's directories and files with sizes and downloads, and beside the listing
 * the preview of the selected file (artifact-preview.tsx). Its own URL state on the page it sits
 * in: `?path=` (a directory) or `?file=` (a file, `&rows=` for more table rows), so each view
 * can be linked and works without JavaScript; htmx swaps just the `#artifacts` section.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import { InvalidInputError, NotFoundError } from '../errors';
import { getFile, listDirectory, type DirEntry, type PackageFile } from '../packages/files';
import type { Package } from '../packages/packages';
import { SwapLink } from './kit/components';
import { DataTable } from './kit/tables';
import { formatSize } from './format';
import { packageDownloadPath, withQuery } from './paths';
import { loadPreview, PreviewBox, type Preview } from './artifact-preview';

export { INLINE_IMAGE_TYPES, PREVIEW_BYTES, PREVIEW_ROWS } from './artifact-preview';

/** Whose files a browser shows: the page it lives on, and how the MLflow client downloads a file. */
export type ArtifactOwner = {
  /** The page the browser sits in (its links add `?path=`/`?file=`). */
  page: string;
  /** "Files of this run", "Files of this model". */
  title: string;
  /** What the page says when there are no files. */
  empty: string;
  /** The Python line that downloads `path` with the MLflow client. */
  clientLine: (path: string) => string;
};

/** What the browser shows. */
export type ArtifactView = {
  project: Project;
  owner: ArtifactOwner;
  pkg: Package | undefined;
  /** The directory listed (`""` is the root). */
  dir: string;
  entries: DirEntry[];
  file?: PackageFile;
  preview?: Preview;
  /** Why the asked-for path is not shown (it is not there). */
  note?: string;
};

/** `mlflow.artifacts.download_artifacts(...)` with the given keyword arguments (Python string literals). */
export function downloadArtifactsLine(args: Record<string, string>): string {
  const py = (s: string) => JSON.stringify(s);
  return `mlflow.artifacts.download_artifacts(${Object.entries(args)
    .map(([k, v]) => `${k}=${py(v)}`)
    .join(', ')})`;
}

/** Reads the browser's state from `?path=` / `?file=` / `?rows=` and loads what it shows. */
export async function loadArtifactView(c: Context<AppEnv>, pkg: Package | undefined, owner: ArtifactOwner): Promise<ArtifactView> {
  const { project } = c.get('access');
  const db = c.get('db');
  const filePath = c.req.query('file');
  const view: ArtifactView = { project, owner, pkg, dir: '', entries: [] };
  try {
    if (filePath) {
      view.file = await getFile(db, pkg, filePath);
      view.dir = view.file.filePath.includes('/') ? view.file.filePath.slice(0, view.file.filePath.lastIndexOf('/')) : '';
      view.preview = await loadPreview(c.env.ARTIFACTS, view.file, Number(c.req.query('rows')) || undefined);
    } else {
      view.dir = (c.req.query('path') ?? '').replace(/^\/+|\/+$/g, '');
    }
    view.entries = await listDirectory(db, pkg, view.dir);
  } catch (error) {
    if (!(error instanceof InvalidInputError) && !(error instanceof NotFoundError)) throw error;
    // A path that is not there shows the root with a note, as a file browser would.
    view.file = undefined;
    view.preview = undefined;
    view.note = error.message;
    view.dir = '';
    view.entries = await listDirectory(db, pkg, '');
  }
  return view;
}

/** Whether this request is the browser's own htmx navigation (it wants just `#artifacts`). */
export const wantsArtifactsFragment = (c: Context<AppEnv>) => c.req.header('hx-request') === 'true' && !!c.req.header('hx-target')?.endsWith('#artifacts');

/** A link to another view of the browser, on its page (`query`: `path`, `file`, `rows`). */
type At = (query: Record<string, string | number | undefined>) => string;

/** The file browser section (`#artifacts`), also the fragment htmx swaps. */
export function ArtifactBrowser(props: { view: ArtifactView }) {
  const { view } = props;
  const at: At = (query) => `${withQuery(view.owner.page, query)}#artifacts`;
  return (
    <section id="artifacts" class="results" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">{view.owner.title}</h2>
      {!view.pkg ? (
        <p class="empty">{view.owner.empty}</p>
      ) : (
        <div class={view.file ? 'file-browser with-preview' : 'file-browser'}>
          <div class="file-list">
            <ArtifactPath view={view} at={at} />
            {view.note ? <p class="muted note-line">{view.note}</p> : null}
            <EntriesTable view={view} pkg={view.pkg} at={at} />
            {view.entries.length === 0 ? <p class="empty">This directory is empty.</p> : null}
          </div>
          {view.file && view.preview ? (
            <PreviewBox
              file={view.file}
              preview={view.preview}
              links={{
                download: packageDownloadPath(view.project, view.pkg.id, view.file.filePath),
                inline: packageDownloadPath(view.project, view.pkg.id, view.file.filePath, true),
                more: (rows) => at({ file: view.file!.filePath, rows }),
                target: '#artifacts',
                clientLine: view.owner.clientLine(view.file.filePath),
              }}
            />
          ) : null}
        </div>
      )}
    </section>
  );
}

/** Where the browser is: `files` › each directory › the selected file. */
function ArtifactPath(props: { view: ArtifactView; at: At }) {
  const { view, at } = props;
  const parts = view.dir ? view.dir.split('/') : [];
  return (
    <nav class="crumbs inner" aria-label="File path">
      <ol>
        <li>
          <SwapLink href={at({})} target="#artifacts">
            files
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
  );
}

/** The directory's entries (`../` first below the root): a directory opens, a file previews; each file downloads. */
function EntriesTable(props: { view: ArtifactView; pkg: Package; at: At }) {
  const { view, at } = props;
  const up = view.dir.split('/').slice(0, -1).join('/');
  return (
    <DataTable columns={['Name', { label: 'Size', class: 'num' }, 'Download']} class="artifacts">
      {view.dir ? (
        <tr>
          <td class="name">
            <SwapLink href={at({ path: up || undefined })} target="#artifacts">
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
              <SwapLink href={at(e.isDir ? { path: full } : { file: full })} target="#artifacts">
                {e.isDir ? `${e.path}/` : e.path}
              </SwapLink>
            </td>
            <td class="num">{e.isDir ? '' : formatSize(e.size ?? 0)}</td>
            <td>
              {e.isDir ? null : (
                <a href={packageDownloadPath(view.project, props.pkg.id, full)} download aria-label={`Download ${e.path}`}>
                  Download
                </a>
              )}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
