import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { PREVIEW_ROWS } from '../../src/ui/artifacts';
import { putFile } from '../../src/packages/files';
import { ensurePackage } from '../../src/packages/packages';
import { setFlag } from '../../src/flags/flags';
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
  it('lists the root with directories, files, sizes, downloads and the package link', async () => {
    const { browser, page, pkg, base } = await setup();
    const html = await (await getPage(browser, page)).text();
    expect(html).toContain('<section id="artifacts"');
    expect(html).toMatch(/>data\/<\/a>/);
    expect(html).toMatch(/>notes\/<\/a>/);
    expect(html).toMatch(/>metrics\.json<\/a><\/td><td class="num">17 B<\/td>/);
    expect(html).toContain(`href="${base}/-/packages/${pkg.id}/download?path=plot.png" download`);
    expect(html).toContain(`href="${base}/-/packages/${pkg.id}">ml_candidate_`);
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

  it('previews text, JSON, CSV and images inline, escaped, and refuses to preview binaries', async () => {
    const { browser, page, pkg, base } = await setup();
    const text = await (await getPage(browser, `${page}?file=notes/readme.txt`)).text();
    expect(text).toContain('<pre class="preview">hello &lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    expect(text).not.toContain(XSS);
    const json = await (await getPage(browser, `${page}?file=metrics.json`)).text();
    expect(json).toContain('<pre class="preview">{\n  &quot;a&quot;: 1,');
    const csv = await (await getPage(browser, `${page}?file=data/table.csv`)).text();
    expect(csv).toContain('<th scope="col">x</th><th scope="col">label</th>');
    expect(csv).toContain('<td class="text">a, b</td>');
    expect(csv).toContain('<td class="text">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(csv).not.toContain('Only the beginning of the file is shown');
    const rows = (n: number) => ['i', ...Array.from({ length: n }, (_, i) => `row${i}`)].join('\n') + '\n';
    await put(pkg, 'data/full.csv', rows(PREVIEW_ROWS));
    await put(pkg, 'data/long.csv', rows(PREVIEW_ROWS + 1));
    const full = await (await getPage(browser, `${page}?file=data/full.csv`)).text();
    expect(full).toContain(`<td class="text">row${PREVIEW_ROWS - 1}</td>`);
    expect(full).not.toContain('Only the beginning of the file is shown');
    const long = await (await getPage(browser, `${page}?file=data/long.csv`)).text();
    expect(long).toContain(`<td class="text">row${PREVIEW_ROWS - 1}</td>`);
    expect(long).not.toContain(`<td class="text">row${PREVIEW_ROWS}</td>`);
    expect(long).toContain('Only the beginning of the file is shown');
    const image = await (await getPage(browser, `${page}?file=plot.png`)).text();
    expect(image).toContain(`<img class="preview-image" src="${base}/-/packages/${pkg.id}/download?path=plot.png&amp;inline=1"`);
    const html = await (await getPage(browser, `${page}?file=page.html`)).text();
    expect(html).toContain('<pre class="preview">&lt;html&gt;&lt;script&gt;');
    const bin = await (await getPage(browser, `${page}?file=model.bin`)).text();
    expect(bin).toContain('download it instead');
    const missing = await getPage(browser, `${page}?file=nope.txt`);
    expect(missing.status).toBe(200);
    expect(await missing.text()).toContain('not found');
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
    const html = await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=page.html&inline=1`);
    expect(html.headers.get('content-disposition')).toMatch(/^attachment;/);
    await html.arrayBuffer();
    expect((await getPage(browser, `${base}/-/packages/${pkg.id}/download?path=nope`)).status).toBe(404);
  });
});

describe('the packages pages', () => {
  it('lists the packages with a filter as you type, links to the candidate, and shows a package with its files', async () => {
    const { browser, base, pkg, candidate, project } = await setup();
    await ensurePackage(db(), project.id, 'my-tool', '1.0.0');
    const list = await (await getPage(browser, `${base}/-/packages`)).text();
    expect(list).toContain(`>ml_candidate_${candidate.id}</a>`);
    expect(list).toContain('>my-tool</a>');
    expect(list).toContain(`href="${base}/-/ml/candidates/${candidate.id}">Candidate ${candidate.id}</a>`);
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
