import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { PREVIEW_ROWS } from '../../src/ui/artifacts';
import { putFile } from '../../src/packages/files';
import { ensurePackage } from '../../src/packages/packages';
import { setFlag } from '../../src/flags/flags';
import { eq } from 'drizzle-orm';
import { experiments as experimentsTable } from '../../src/db/schema';
import { createLoggedModel } from '../../src/tracking/logged-models';
import { createRegisteredModel } from '../../src/tracking/registry/models';
import { createModelVersion } from '../../src/tracking/registry/versions';
import { db, seedProject, seedUser } from '../helpers';
import { call, getPage, signIn } from './helpers';
import { seedCandidate, seedExperiment } from './seed';

const XSS = '<script>alert(1)</script>';
// a 1×1 transparent PNG
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (ch) => ch.charCodeAt(0));

async function put(pkg: Awaited<ReturnType<typeof ensurePackage>>, path: string, content: string | Uint8Array, contentType?: string) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return putFile({ db: db(), bucket: env.ARTIFACTS }, pkg, path, new Blob([bytes]).stream(), { length: bytes.length, contentType });
}

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await seedExperiment(project.id);
  const candidate = await seedCandidate(experiment, { name: 'with-artifacts' });
  const pkg = await ensurePackage(db(), project.id, `ml_candidate_${candidate.id}`, '-');
  await put(pkg, 'notes/readme.txt', `hello ${XSS}`);
  await put(pkg, 'metrics.json', '{"a":1,"b":[1,2]}');
  await put(pkg, 'data/table.csv', `x,label\n1,"a, b"\n2,${XSS}\n`);
  await put(pkg, 'plot.png', PNG, 'image/png');
  await put(pkg, 'page.html', `<html>${XSS}</html>`, 'text/html');
  await put(pkg, 'model.bin', new Uint8Array([0, 1, 2, 0, 255]), 'application/octet-stream');
  const browser = await signIn(token);
  const base = `/${project.namespace}/${project.path}`;
  return { user, project, candidate, pkg, browser, base, page: `${base}/-/ml/candidates/${candidate.id}` };
}

describe('the artifact browser on Candidate Detail', () => {
  it('lists the root with directories, files, sizes and downloads, in plain words (the package is named on the packages pages only)', async () => {
    const { browser, page, pkg, base } = await setup();
    const html = await (await getPage(browser, page)).text();
    expect(html).toContain('<section id="artifacts"');
    expect(html).toMatch(/>data\/<\/a>/);
    expect(html).toMatch(/>notes\/<\/a>/);
    expect(html).toMatch(/>metrics\.json<\/a><\/td><td class="num">17 B<\/td>/);
    expect(html).toContain(`href="${base}/-/packages/${pkg.id}/download?path=plot.png" download`);
    expect(html).toContain('>Files of this run</h2>');
    expect(html).not.toContain('ml_candidate_');
  });

  it('opens a directory as an htmx fragment, and as a whole page without htmx', async () => {
    const { browser, page } = await setup();
    const res = await call('GET', `${page}?path=notes`, { headers: { cookie: browser.cookie, 'hx-request': 'true', 'hx-target': 'section#artifacts' } });
    const fragment = await res.text();
    expect(fragment.startsWith('<section id="artifacts"')).toBe(true);
    expect(fragment).toMatch(/>readme\.txt<\/a>/);
    expect(fragment).toContain('>../</a>');
    expect(fragment).not.toContain('metrics.json');
    const full = await (await getPage(browser, `${page}?path=notes`)).text();
    expect(full).toContain('<html');
    expect(full).toMatch(/>readme\.txt<\/a>/);
  });

  it('previews text with line numbers, JSON as a typed tree, CSV as a table, images and HTML in a sandboxed frame, escaped; refuses binaries', async () => {
    const { browser, page, pkg, base } = await setup();
    const text = await (await getPage(browser, `${page}?file=notes/readme.txt`)).text();
    expect(text).toContain('<pre class="preview numbered"><span class="line">hello &lt;script&gt;alert(1)&lt;/script&gt;\n</span></pre>');
    expect(text).not.toContain(XSS);
    expect(text).toContain('<code id="download-line">mlflow.artifacts.download_artifacts(run_id=&quot;');
    expect(text).toContain('artifact_path=&quot;notes/readme.txt&quot;)</code>');
    const json = await (await getPage(browser, `${page}?file=metrics.json`)).text();
    expect(json).toContain('<span class="json-key">a: </span><span class="json-number" title="number">1</span>');
    expect(json).toContain('<span class="json-key">b: </span><span class="json-type">array [2]</span>');
    const csv = await (await getPage(browser, `${page}?file=data/table.csv`)).text();
    expect(csv).toContain('<th scope="col">x</th><th scope="col">label</th>');
    expect(csv).toContain('<td class="text">a, b</td>');
    expect(csv).toContain('<td class="text">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(csv).toContain('All 2 rows.');
    const rows = (n: number) => ['i', ...Array.from({ length: n }, (_, i) => `row${i}`)].join('\n') + '\n';
    await put(pkg, 'data/full.csv', rows(PREVIEW_ROWS));
    await put(pkg, 'data/long.csv', rows(PREVIEW_ROWS + 1));
    const full = await (await getPage(browser, `${page}?file=data/full.csv`)).text();
    expect(full).toContain(`<td class="text">row${PREVIEW_ROWS - 1}</td>`);
    expect(full).toContain(`All ${PREVIEW_ROWS} rows.`);
    expect(full).not.toContain('Show more');
    const long = await (await getPage(browser, `${page}?file=data/long.csv`)).text();
    expect(long).toContain(`<td class="text">row${PREVIEW_ROWS - 1}</td>`);
    expect(long).not.toContain(`<td class="text">row${PREVIEW_ROWS}</td>`);
    expect(long).toContain(`The first ${PREVIEW_ROWS} rows.`);
    expect(long).toContain('>Show more</a>');
    const more = await (await getPage(browser, `${page}?file=data/long.csv&rows=100`)).text();
    expect(more).toContain(`<td class="text">row${PREVIEW_ROWS}</td>`);
    expect(more).toContain(`All ${PREVIEW_ROWS + 1} rows.`);
    const image = await (await getPage(browser, `${page}?file=plot.png`)).text();
    expect(image).toContain(`<img class="preview-image" src="${base}/-/packages/${pkg.id}/download?path=plot.png&amp;inline=1"`);
    const html = await (await getPage(browser, `${page}?file=page.html`)).text();
    expect(html).toContain(`<iframe class="preview-frame" sandbox="" src="${base}/-/packages/${pkg.id}/download?path=page.html&amp;inline=1"`);
    expect(html).not.toContain(XSS);
    const bin = await (await getPage(browser, `${page}?file=model.bin`)).text();
    expect(bin).toContain('download it instead');
    const missing = await getPage(browser, `${page}?file=nope.txt`);
    expect(missing.status).toBe(200);
    expect(await missing.text()).toContain('not found');
  });

  it('renders Markdown without letting HTML, scripts or javascript: links through; previews TSV, SVG (as an image) and PDF (in a frame)', async () => {
    const { browser, page, pkg, base } = await setup();
    await put(pkg, 'README.md', `# Title\n\n*fine* ${XSS}\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [ok](https://example.com)\n`);
    await put(pkg, 'data/t.tsv', 'a\tb\n1\t<b>x</b>\n');
    await put(pkg, 'plot.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(4)</script></svg>', 'image/svg+xml');
    await put(pkg, 'report.pdf', '%PDF-1.4\n%%EOF\n', 'application/pdf');
    const md = await (await getPage(browser, `${page}?file=README.md`)).text();
    expect(md).toContain('<h1>Title</h1>');
    expect(md).toContain('<em>fine</em> &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
    expect(md).not.toContain('<img src=x');
    expect(md).not.toContain('href="javascript:');
    expect(md).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>');
    expect(md).not.toContain(XSS);
    const tsv = await (await getPage(browser, `${page}?file=data/t.tsv`)).text();
    expect(tsv).toContain('<th scope="col">a</th><th scope="col">b</th>');
    expect(tsv).toContain('<td class="text">&lt;b&gt;x&lt;/b&gt;</td>');
    const svg = await (await getPage(browser, `${page}?file=plot.svg`)).text();
    expect(svg).toContain(`<img class="preview-image" src="${base}/-/packages/${pkg.id}/download?path=plot.svg&amp;inline=1"`);
    expect(svg).not.toContain('alert(4)');
    const pdf = await (await getPage(browser, `${page}?file=report.pdf`)).text();
    expect(pdf).toContain(`<iframe class="preview-frame pdf" src="${base}/-/packages/${pkg.id}/download?path=report.pdf&amp;inline=1"`);
  });

  it('downloads files as sandboxed attachments; only raster images may be inline', async () => {
    const { browser, pkg, base } = await setup();
    const dl = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=data/table.csv`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="table.csv"; filename*=UTF-8''table.csv`);
    expect(dl.headers.get('content-security-policy')).toContain('sandbox');
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await dl.text()).toBe(`x,label\n1,"a, b"\n2,${XSS}\n`);
    const png = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=plot.png&inline=1`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(new Uint8Array(await png.arrayBuffer())).toEqual(PNG);
    // HTML inline is for the preview's frame: sandboxed (no allow-scripts), no sources at all, framed by this site only
    const html = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=page.html&inline=1`);
    expect(html.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(html.headers.get('content-security-policy')).toMatch(/(^|; )sandbox(;|$)/);
    expect(html.headers.get('content-security-policy')).not.toContain('allow-scripts');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(html.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    await html.arrayBuffer();
    const page = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=page.html`);
    expect(page.headers.get('content-disposition')).toMatch(/^attachment;/);
    await page.arrayBuffer();
    const bin = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=model.bin&inline=1`);
    expect(bin.headers.get('content-disposition')).toMatch(/^attachment;/);
    await bin.arrayBuffer();
    // the MLflow client uploads JSON as text/plain; it is served as JSON
    const json = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=metrics.json`);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ a: 1, b: [1, 2] });
    expect((await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=nope`)).status).toBe(404);
  });
});

describe('the packages pages', () => {
  it('name what an ML package belongs to: the run, the logged model, the model version', async () => {
    const { browser, base, pkg, candidate, project, user } = await setup();
    const one = await (await getPage(browser, `${base}/-/packages/${pkg.id}`)).text();
    expect(one).toContain(`<dd id="package-owner"><span class="muted">Candidate </span><a href="${base}/-/ml/candidates/${candidate.id}">with-artifacts</a> (<a href="${base}/-/ml/candidates/${candidate.id}#artifacts">Files of this run</a>)</dd>`);
    const experiment = await db().select().from(experimentsTable).where(eq(experimentsTable.id, candidate.experimentId)).get();
    const model = await createLoggedModel(db(), project.id, user.id, { experimentId: String(experiment!.iid), name: `clf ${XSS}`, sourceRunId: candidate.runId });
    const modelPkg = await ensurePackage(db(), project.id, `ml_model_${model.seq}`, '-');
    const version = await createModelVersion(db(), project, { name: (await createRegisteredModel(db(), project.id, { name: 'churn' })).name, source: `models:/${model.id}`, runId: candidate.runId, modelId: model.id });
    const versionPkg = await ensurePackage(db(), project.id, `ml_model_version_${version.id}`, '-');
    const list = await (await getPage(browser, `${base}/-/packages`)).text();
    expect(list).toContain(`<span class="muted">Logged model </span><a href="${base}/-/ml/logged-models/${model.id}">clf &lt;script&gt;alert(1)&lt;/script&gt;</a>`);
    expect(list).toContain(`<span class="muted">Model version </span><a href="${base}/-/ml/models/churn/versions/1">churn version 1</a>`);
    expect(list).not.toContain(XSS);
    expect(await (await getPage(browser, `${base}/-/packages/${modelPkg.id}`)).text()).toContain(`href="${base}/-/ml/logged-models/${model.id}"`);
    expect(await (await getPage(browser, `${base}/-/packages/${versionPkg.id}`)).text()).toContain(`href="${base}/-/ml/models/churn/versions/1"`);
  });

  it('lists the packages with a filter as you type, links to the candidate, and shows a package with its files', async () => {
    const { browser, base, pkg, candidate, project } = await setup();
    await ensurePackage(db(), project.id, 'my-tool', '1.0.0');
    const list = await (await getPage(browser, `${base}/-/packages`)).text();
    expect(list).toContain(`>ml_candidate_${candidate.id}</a>`);
    expect(list).toContain('>my-tool</a>');
    // the candidate by its run name, linking back
    expect(list).toContain(`<span class="muted">Candidate </span><a href="${base}/-/ml/candidates/${candidate.id}">with-artifacts</a>`);
    const filtered = await (await getPage(browser, `${base}/-/packages?name=TOOL`, { htmx: true })).text();
    expect(filtered.startsWith('<div id="packages"')).toBe(true);
    expect(filtered).toContain('>my-tool</a>');
    expect(filtered).not.toContain('ml_candidate_');
    const one = await getPage(browser, `${base}/-/packages/${pkg.id}`);
    expect(one.status).toBe(200);
    const html = await one.text();
    for (const path of ['data/table.csv', 'metrics.json', 'model.bin', 'notes/readme.txt', 'page.html', 'plot.png']) {
      expect(html).toContain(`href="${base}/-/packages/${pkg.id}/download?path=${encodeURIComponent(path)}" download`);
    }
    expect(html).toMatch(/<nav class="crumbs"[^]*>Packages<\/a>/);
  });

  it('hides ML packages while the flag is off (404), keeps the others, and 404s non-members', async () => {
    const { browser, base, pkg, project } = await setup();
    const other = await ensurePackage(db(), project.id, 'generic-thing', '2');
    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    const list = await (await getPage(browser, `${base}/-/packages`)).text();
    expect(list).not.toContain('ml_candidate_');
    expect(list).toContain('>generic-thing</a>');
    expect((await getPage(browser, `${base}/-/packages/${pkg.id}`)).status).toBe(404);
    expect((await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=plot.png`)).status).toBe(404);
    expect((await getPage(browser, `${base}/-/packages/${other.id}`)).status).toBe(200);
    const stranger = await seedUser();
    expect((await getPage(await signIn(stranger.token), `${base}/-/packages`)).status).toBe(404);
  });
});
