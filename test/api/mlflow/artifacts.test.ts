import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { packageFiles, packageUploads } from '../../../src/db/schema';
import { setFlag } from '../../../src/flags/flags';
import { resolveCandidatePackage } from '../../../src/packages/packages';
import { projectPrefix } from '../../../src/packages/storage';
import { call, callJson, db, seedMember, seedProject, seedUser } from '../../helpers';
import { bytes, r2Keys, seedCandidate, sha256 } from '../../packages/seed';

const MiB = 1024 * 1024;
const base = (projectId: number) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts`;

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const candidateId = await seedCandidate(project.id);
  const root = `ml_candidate_${candidateId}/-`;
  return { user, token, project, candidateId, root, prefix: base(project.id) };
}

/** PUTs like the MLflow client: Content-Type and Content-Length set. */
function upload(token: string, url: string, data: Uint8Array | string, contentType = 'application/octet-stream') {
  const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return call('PUT', url, { token, body, headers: { 'content-type': contentType, 'content-length': String(body.length) } });
}

const list = (token: string, prefix: string, path: string) => callJson('GET', `${prefix}/artifacts?path=${encodeURIComponent(path)}`, { token });

async function nothingStored(projectId: number) {
  expect(await r2Keys(env.ARTIFACTS, projectPrefix(projectId))).toEqual([]);
}

describe('mlflow-artifacts: upload, list, download, delete', { timeout: 30_000 }, () => {
  it('serves what the MLflow client logs, in MLflow answers', async () => {
    const { token, prefix, root } = await setup();
    const config = '{\n  "layers": [\n    64,\n    32\n  ],\n  "act": "relu"\n}';
    const model = bytes(2048, 5);
    for (const [path, data, type] of [
      ['config.json', config, 'text/plain'],
      ['notes/readme.txt', 'hello notes\n', 'text/plain'],
      ['model.bin', model, 'application/octet-stream'],
      ['weights/model.bin', model, 'application/octet-stream'],
      ['outputs/a.txt', 'A', 'text/plain'],
      ['outputs/sub/b.csv', 'x,y\n1,2\n', 'text/plain'],
      ['plots/loss.png', bytes(100, 2), 'image/png'],
    ] as const) {
      const res = await upload(token, `${prefix}/artifacts/${root}/${path}`, data, type);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toEqual({});
    }
    expect((await list(token, prefix, root)).body).toEqual({
      files: [
        { path: 'config.json', is_dir: false, file_size: 53 },
        { path: 'model.bin', is_dir: false, file_size: 2048 },
        { path: 'notes', is_dir: true },
        { path: 'outputs', is_dir: true },
        { path: 'plots', is_dir: true },
        { path: 'weights', is_dir: true },
      ],
    });
    expect((await list(token, prefix, `${root}/outputs`)).body).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 1 }, { path: 'sub', is_dir: true }] });
    expect((await list(token, prefix, `${root}/outputs/sub`)).body).toEqual({ files: [{ path: 'b.csv', is_dir: false, file_size: 8 }] });
    // A path that is a file, or holds nothing, lists as MLflow's server answers: {}.
    expect(await list(token, prefix, `${root}/config.json`)).toEqual({ status: 200, body: {} });
    expect(await list(token, prefix, `${root}/nothing`)).toEqual({ status: 200, body: {} });

    const res = await call('GET', `${prefix}/artifacts/${root}/config.json`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-length')).toBe('53');
    expect(res.headers.get('etag')).toBe(`"${await sha256(config)}"`);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(await res.text()).toBe(config);
    const bin = await call('GET', `${prefix}/artifacts/${root}/weights/model.bin`, { token });
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(await sha256(new Uint8Array(await bin.arrayBuffer()))).toBe(await sha256(model));
    expect((await call('GET', `${prefix}/artifacts/${root}/plots/loss.png`, { token })).headers.get('content-type')).toBe('image/png');
  });

  it('handles nested directories at every depth', async () => {
    const { token, prefix, root } = await setup();
    const depth = 12;
    const dirs = Array.from({ length: depth }, (_, i) => `d${i}`);
    for (let i = 0; i <= depth; i++) {
      expect((await upload(token, `${prefix}/artifacts/${root}/${[...dirs.slice(0, i), `f${i}.txt`].join('/')}`, `level ${i}`, 'text/plain')).status).toBe(200);
    }
    for (let i = 0; i <= depth; i++) {
      const dir = [root, ...dirs.slice(0, i)].join('/');
      const expected: unknown[] = [{ path: `f${i}.txt`, is_dir: false, file_size: `level ${i}`.length }];
      if (i < depth) expected.unshift({ path: `d${i}`, is_dir: true });
      expect((await list(token, prefix, dir)).body, dir).toEqual({ files: expected });
    }
    const deepest = await call('GET', `${prefix}/artifacts/${root}/${dirs.join('/')}/f${depth}.txt`, { token });
    expect(await deepest.text()).toBe(`level ${depth}`);
  });

  it('accepts names with spaces and unicode, percent-encoded in the URL', async () => {
    const { token, prefix, root } = await setup();
    const name = 'my dir/ünï cødé #1.txt';
    const url = `${prefix}/artifacts/${root}/${name.split('/').map(encodeURIComponent).join('/')}`;
    expect((await upload(token, url, 'hi', 'text/plain')).status).toBe(200);
    expect((await list(token, prefix, `${root}/my dir`)).body).toEqual({ files: [{ path: 'ünï cødé #1.txt', is_dir: false, file_size: 2 }] });
    expect(await (await call('GET', url, { token })).text()).toBe('hi');
  });

  it('replaces a file uploaded twice, and deletes files and directories', async () => {
    const { token, prefix, root, project, candidateId } = await setup();
    await upload(token, `${prefix}/artifacts/${root}/a.txt`, 'first', 'text/plain');
    await upload(token, `${prefix}/artifacts/${root}/a.txt`, 'second', 'text/plain');
    await upload(token, `${prefix}/artifacts/${root}/d/x.txt`, 'x', 'text/plain');
    await upload(token, `${prefix}/artifacts/${root}/d/e/y.txt`, 'y', 'text/plain');
    expect(await (await call('GET', `${prefix}/artifacts/${root}/a.txt`, { token })).text()).toBe('second');
    expect(await r2Keys(env.ARTIFACTS, projectPrefix(project.id))).toHaveLength(3);

    expect(await callJson('DELETE', `${prefix}/artifacts/${root}/d`, { token })).toEqual({ status: 200, body: {} });
    expect((await list(token, prefix, root)).body).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 6 }] });
    expect(await callJson('DELETE', `${prefix}/artifacts/${root}/a.txt`, { token })).toEqual({ status: 200, body: {} });
    expect(await callJson('DELETE', `${prefix}/artifacts/${root}/a.txt`, { token })).toEqual({ status: 200, body: {} });
    expect(await list(token, prefix, root)).toEqual({ status: 200, body: {} });
    await nothingStored(project.id);
    const missing = await callJson('GET', `${prefix}/artifacts/${root}/a.txt`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await resolveCandidatePackage(db(), project.id, candidateId)).toBeDefined();
  });

  it('answers Range and If-None-Match', async () => {
    const { token, prefix, root } = await setup();
    await upload(token, `${prefix}/artifacts/${root}/r.txt`, '0123456789', 'text/plain');
    const part = await call('GET', `${prefix}/artifacts/${root}/r.txt`, { token, headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    const etag = (await call('GET', `${prefix}/artifacts/${root}/r.txt`, { token })).headers.get('etag')!;
    const cached = await call('GET', `${prefix}/artifacts/${root}/r.txt`, { token, headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
  });

  it('stores multi-MiB uploads byte for byte, whether the body is a byte stream or one built by script', async () => {
    const { token, prefix, root, project, candidateId } = await setup();
    const data = bytes(2 * 1024 * 1024 + 12_345, 13);
    const scripted = () => {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= data.length) return controller.close();
          controller.enqueue(data.slice(offset, offset + 65_537));
          offset += 65_537;
        },
      });
    };
    for (const [name, body] of [['bytes.bin', data], ['scripted.bin', scripted()]] as const) {
      const res = await call('PUT', `${prefix}/artifacts/${root}/${name}`, { token, body, headers: { 'content-length': String(data.length) } });
      expect(res.status).toBe(200);
      const back = await call('GET', `${prefix}/artifacts/${root}/${name}`, { token });
      expect(await sha256(new Uint8Array(await back.arrayBuffer()))).toBe(await sha256(data));
      expect(back.headers.get('etag')).toBe(`"${await sha256(data)}"`);
    }
    const pkg = await resolveCandidatePackage(db(), project.id, candidateId);
    const rows = await db().select().from(packageFiles).where(eq(packageFiles.packageId, pkg!.id));
    expect(rows.map((r) => [r.filePath, r.size, r.sha256])).toEqual([
      ['bytes.bin', data.length, await sha256(data)],
      ['scripted.bin', data.length, await sha256(data)],
    ]);
  });

  it('streams an upload without Content-Length', async () => {
    const { token, prefix, root, project, candidateId } = await setup();
    const data = bytes(200_000, 9);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= data.length) return controller.close();
        controller.enqueue(data.slice(offset, offset + 30_000));
        offset += 30_000;
      },
    });
    const res = await call('PUT', `${prefix}/artifacts/${root}/stream.bin`, { token, body, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    const pkg = await resolveCandidatePackage(db(), project.id, candidateId);
    const [row] = await db().select().from(packageFiles).where(eq(packageFiles.packageId, pkg!.id));
    expect(row).toMatchObject({ filePath: 'stream.bin', size: data.length, sha256: await sha256(data) });
  });
});

describe('mlflow-artifacts: path rules', { timeout: 30_000 }, () => {
  it('refuses every traversal form with a 400 and writes nothing', async () => {
    const { token, prefix, root, project } = await setup();
    const forms = [
      `${root}/%2E%2E%2Fescape.txt`,
      `${root}/%2e%2e%2f%2e%2e%2fescape.txt`,
      `${root}/a%2F..%2F..%2Fescape.txt`,
      `${root}/%252e%252e%252fescape.txt`,
      `${root}//etc/passwd`,
      `${root}/a%5Cb.txt`,
      `${root}/..%5Cescape.txt`,
      `${root}/a%00b.txt`,
      `${root}/line%0Abreak.txt`,
      `${root}/bell%07.txt`,
      `${root}/${'x'.repeat(300)}.txt`,
      `${root}/${'d/'.repeat(600)}f.txt`,
      `${root}/C:/windows.txt`,
      `${root}/%2e%2e`, // the URL parser resolves this to the package name alone
      `${root}/%2e%2e/%2e%2e/etc/passwd`, // ... and this to "etc/passwd" (no package, no file)
      `ml_candidate_1%2F..%2F/-/x.txt`,
    ];
    for (const form of forms) {
      const res = await callJson('PUT', `${prefix}/artifacts/${form}`, { token, body: 'x', headers: { 'content-length': '1' } });
      expect(res.status, form).toBe(400);
      expect(res.body.error_code, form).toBe('INVALID_PARAMETER_VALUE');
    }
    for (const path of [`${root}/..`, `${root}/../..`, `${root}/a/../../x`, `${root}/%2e%2e`, `/${root}`, `${root}//abs`, `${root}/a\\b`, `${root}/a\u0000b`]) {
      const res = await list(token, prefix, path);
      expect(res.status, path).toBe(400);
    }
    for (const form of [`${root}/%2E%2E%2Fescape.txt`, `${root}/a%5Cb.txt`]) {
      expect((await callJson('GET', `${prefix}/artifacts/${form}`, { token })).status, form).toBe(400);
      expect((await callJson('DELETE', `${prefix}/artifacts/${form}`, { token })).status, form).toBe(400);
      expect((await callJson('POST', `${prefix}/mpu/create/${form}`, { token, json: { path: '/tmp/f', num_parts: 1 } })).status, form).toBe(400);
    }
    await nothingStored(project.id);
    expect(await list(token, prefix, root)).toEqual({ status: 200, body: {} });
  });

  it('keeps a plain ".." in the URL from leaving the package (the URL parser resolves it first)', async () => {
    const { token, prefix, root, project } = await setup();
    const res = await callJson('PUT', `${prefix}/artifacts/${root}/../../../../x.txt`, { token, body: 'x', headers: { 'content-length': '1' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await nothingStored(project.id);
  });

  it('needs a package name and version at the start of every path', async () => {
    const { token, prefix, candidateId } = await setup();
    expect((await list(token, prefix, '')).status).toBe(400);
    expect((await list(token, prefix, `ml_candidate_${candidateId}`)).status).toBe(400);
    expect((await list(token, prefix, `ml_candidate_${candidateId}/1.0`)).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await list(token, prefix, `ml_unknown_1/-`)).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('mlflow-artifacts: access', { timeout: 30_000 }, () => {
  it('lets reporters read but not write, hides the project from others, and needs a token', async () => {
    const { token, prefix, root, project } = await setup();
    await upload(token, `${prefix}/artifacts/${root}/a.txt`, 'a', 'text/plain');
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, 20);
    expect((await list(reporter.token, prefix, root)).body.files).toHaveLength(1);
    expect(await (await call('GET', `${prefix}/artifacts/${root}/a.txt`, { token: reporter.token })).text()).toBe('a');
    for (const [method, url] of [
      ['PUT', `${prefix}/artifacts/${root}/b.txt`],
      ['DELETE', `${prefix}/artifacts/${root}/a.txt`],
      ['POST', `${prefix}/mpu/create/${root}/big.bin`],
    ]) {
      const res = await callJson(method, url, { token: reporter.token, json: { path: '/tmp/x', num_parts: 1 } });
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error_code).toBe('PERMISSION_DENIED');
    }
    const stranger = await seedUser();
    expect((await list(stranger.token, prefix, root)).status).toBe(404);
    expect((await upload(stranger.token, `${prefix}/artifacts/${root}/c.txt`, 'c')).status).toBe(404);
    expect((await list('', prefix, root)).body.error_code).toBe('UNAUTHENTICATED');
  });

  it("is 404 for a candidate of another project, an unknown candidate, and with the flag off", async () => {
    const { user, token, prefix, root, project } = await setup();
    const other = await seedProject(user.id);
    const foreign = await seedCandidate(other.id);
    const res = await upload(token, `${prefix}/artifacts/ml_candidate_${foreign}/-/x.txt`, 'x');
    expect(res.status).toBe(404);
    expect((await res.json<{ error_code: string }>()).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await list(token, prefix, `ml_candidate_${foreign}/-`)).status).toBe(404);
    expect((await list(token, prefix, 'ml_candidate_987654321/-')).status).toBe(404);
    await nothingStored(other.id);
    await upload(token, `${prefix}/artifacts/${root}/a.txt`, 'a');
    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    expect((await list(token, prefix, root)).status).toBe(404);
    expect((await call('GET', `${prefix}/artifacts/${root}/a.txt`, { token })).status).toBe(404);
  });
});

describe('mlflow-artifacts: multipart upload', { timeout: 30_000 }, () => {
  type Create = { upload_id: string; credentials: { url: string; part_number: number; headers: Record<string, string> }[] };

  /** Like the client: the URL names the destination directory, `path` the local file. */
  async function create(token: string, prefix: string, dir: string, localPath: string, numParts: number) {
    const res = await callJson<Create>('POST', `${prefix}/mpu/create/${dir}`, { token, json: { path: localPath, num_parts: numParts } });
    expect(res.status).toBe(200);
    return res.body;
  }

  /** PUTs a part like the client: to its URL, with no Authorization header. */
  const putPart = (url: string, data: Uint8Array) =>
    call('PUT', url.replace(/^https?:\/\/[^/]+/, ''), { body: data, headers: { 'content-length': String(data.length) } });

  it('uploads in parts with no token on the part URLs, a part retried, then completes', async () => {
    const { token, prefix, root, project, candidateId } = await setup();
    const data = bytes(2 * 5 * MiB + 4321, 11);
    const chunks = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
    const created = await create(token, prefix, `${root}/mpu`, '/home/alice/big.bin', 3);
    expect(created.credentials.map((c) => c.part_number)).toEqual([1, 2, 3]);
    for (const cred of created.credentials) {
      expect(cred.url.startsWith(`http://flaretrack.test${prefix}/mpu/parts/`)).toBe(true);
      expect(cred.headers).toEqual({});
    }
    const etags: string[] = [];
    for (const [i, cred] of [...created.credentials.entries()].reverse()) {
      const res = await putPart(cred.url, chunks[i]);
      expect(res.status).toBe(200);
      etags[i] = res.headers.get('etag')!;
      expect(etags[i]).toMatch(/^".+"$/);
    }
    // A part sent again (the client retries on 5xx) replaces the first copy.
    const again = await putPart(created.credentials[1].url, chunks[1]);
    expect(again.status).toBe(200);
    etags[1] = again.headers.get('etag')!;

    const done = await callJson('POST', `${prefix}/mpu/complete/${root}/mpu`, {
      token,
      json: { path: '/home/alice/big.bin', upload_id: created.upload_id, parts: created.credentials.map((c, i) => ({ part_number: c.part_number, etag: etags[i], url: c.url })) },
    });
    expect(done).toEqual({ status: 200, body: {} });
    expect((await list(token, prefix, `${root}/mpu`)).body).toEqual({ files: [{ path: 'big.bin', is_dir: false, file_size: data.length }] });
    const back = await call('GET', `${prefix}/artifacts/${root}/mpu/big.bin`, { token });
    expect(back.headers.get('content-length')).toBe(String(data.length));
    expect(await sha256(new Uint8Array(await back.arrayBuffer()))).toBe(await sha256(data));
    const pkg = await resolveCandidatePackage(db(), project.id, candidateId);
    const [row] = await db().select().from(packageFiles).where(eq(packageFiles.packageId, pkg!.id));
    // Assembled from parts: not read back whole to hash it; the ETag names the stored object.
    expect(row.sha256).toBeNull();
    const etag = back.headers.get('etag');
    expect(etag).toBe(`"${row.r2Key.split('/').pop()}"`);
    expect((await call('GET', `${prefix}/artifacts/${root}/mpu/big.bin`, { token, headers: { 'if-none-match': etag! } })).status).toBe(304);
    const listed = await callJson('GET', `/api/v4/projects/${project.id}/packages/${pkg!.id}/package_files`, { token });
    expect(listed.body).toEqual([expect.objectContaining({ file_name: 'mpu/big.bin', size: data.length, file_sha256: null })]);
    // the upload is kept, marked completed (for a repeated complete), and takes no more parts
    const [upload] = await db().select().from(packageUploads).where(eq(packageUploads.uploadId, created.upload_id));
    expect(upload.completedAt).toBeGreaterThan(0);
    expect((await putPart(created.credentials[0].url, chunks[0])).status).toBe(404);
  }, 60_000);

  it('answers a repeated complete with the same parts as the first, refuses other parts, and an abort after it keeps the file', async () => {
    const { token, prefix, root } = await setup();
    const data = bytes(5 * MiB + 777, 21);
    const created = await create(token, prefix, root, '/home/alice/retry.bin', 2);
    const etags: string[] = [];
    for (const [i, cred] of created.credentials.entries()) etags.push((await putPart(cred.url, i === 0 ? data.subarray(0, 5 * MiB) : data.subarray(5 * MiB))).headers.get('etag')!);
    const complete = (parts: { part_number: number; etag: string }[]) => callJson('POST', `${prefix}/mpu/complete/${root}`, { token, json: { path: '/home/alice/retry.bin', upload_id: created.upload_id, parts } });
    const parts = created.credentials.map((c, i) => ({ part_number: c.part_number, etag: etags[i] }));
    expect(await complete(parts)).toEqual({ status: 200, body: {} });
    // the client retries after a network error: same parts (in any order, quoted or not) answer as the first did
    expect(await complete(parts)).toEqual({ status: 200, body: {} });
    expect(await complete([...parts].reverse().map((p) => ({ ...p, etag: p.etag.replace(/"/g, '') })))).toEqual({ status: 200, body: {} });
    // other parts after completion: a clear error, and the stored file stays whole
    const other = await complete([parts[0]]);
    expect(other.status).toBe(400);
    expect(other.body.error_code).toBe('INVALID_STATE');
    expect(other.body.message).toMatch(/already completed with other parts/);
    const aborted = await callJson('POST', `${prefix}/mpu/abort/${root}`, { token, json: { path: '/home/alice/retry.bin', upload_id: created.upload_id } });
    expect(aborted).toEqual({ status: 200, body: {} });
    expect(await complete(parts)).toEqual({ status: 200, body: {} });
    const back = await call('GET', `${prefix}/artifacts/${root}/retry.bin`, { token });
    expect(back.status).toBe(200);
    expect(await sha256(new Uint8Array(await back.arrayBuffer()))).toBe(await sha256(data));
  }, 60_000);

  it('finishes a complete cut off after R2 joined the parts but before D1 recorded the file', async () => {
    const { token, prefix, root } = await setup();
    const data = bytes(3000, 22);
    const created = await create(token, prefix, root, '/tmp/cut.bin', 1);
    const etag = (await putPart(created.credentials[0].url, data)).headers.get('etag')!;
    // the first complete got as far as R2 (its claim written, the parts joined), then the isolate died
    const [row] = await db().select().from(packageUploads).where(eq(packageUploads.uploadId, created.upload_id));
    await db().update(packageUploads).set({ completedParts: JSON.stringify([[1, etag.replace(/"/g, '')]]) }).where(eq(packageUploads.uploadId, created.upload_id));
    await env.ARTIFACTS.resumeMultipartUpload(row.r2Key, created.upload_id).complete([{ partNumber: 1, etag: etag.replace(/"/g, '') }]);
    const retried = await callJson('POST', `${prefix}/mpu/complete/${root}`, { token, json: { path: '/tmp/cut.bin', upload_id: created.upload_id, parts: [{ part_number: 1, etag }] } });
    expect(retried).toEqual({ status: 200, body: {} });
    expect((await list(token, prefix, root)).body).toEqual({ files: [{ path: 'cut.bin', is_dir: false, file_size: 3000 }] });
  });

  it('lets a complete whose parts R2 refuses be retried with the right parts', async () => {
    const { token, prefix, root } = await setup();
    const created = await create(token, prefix, root, '/tmp/wrong.bin', 1);
    const etag = (await putPart(created.credentials[0].url, bytes(100, 23))).headers.get('etag')!;
    const complete = (e: string) => callJson('POST', `${prefix}/mpu/complete/${root}`, { token, json: { path: '/tmp/wrong.bin', upload_id: created.upload_id, parts: [{ part_number: 1, etag: e }] } });
    expect((await complete('"nonsense"')).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(await complete(etag)).toEqual({ status: 200, body: {} });
    expect((await list(token, prefix, root)).body).toEqual({ files: [{ path: 'wrong.bin', is_dir: false, file_size: 100 }] });
  });

  it('puts the file under the local file name, at the artifact root too (Windows paths included)', async () => {
    const { token, prefix, root } = await setup();
    const created = await create(token, prefix, root, 'C:\\Users\\alice\\win.bin', 1);
    const part = await putPart(created.credentials[0].url, bytes(1000, 8));
    const done = await callJson('POST', `${prefix}/mpu/complete/${root}`, {
      token,
      json: { path: 'C:\\Users\\alice\\win.bin', upload_id: created.upload_id, parts: [{ part_number: 1, etag: part.headers.get('etag') }] },
    });
    expect(done).toEqual({ status: 200, body: {} });
    expect((await list(token, prefix, root)).body).toEqual({ files: [{ path: 'win.bin', is_dir: false, file_size: 1000 }] });
    const bad = await callJson('POST', `${prefix}/mpu/create/${root}`, { token, json: { path: '/home/alice/..', num_parts: 1 } });
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('aborts: the parts are dropped and nothing is listed', async () => {
    const { token, prefix, root, project } = await setup();
    const created = await create(token, prefix, root, '/x/aborted.bin', 2);
    expect((await putPart(created.credentials[0].url, bytes(5 * MiB, 4))).status).toBe(200);
    const aborted = await callJson('POST', `${prefix}/mpu/abort/${root}`, { token, json: { path: '/x/aborted.bin', upload_id: created.upload_id } });
    expect(aborted).toEqual({ status: 200, body: {} });
    expect((await putPart(created.credentials[1].url, bytes(10, 4))).status).toBe(404);
    const complete = await callJson('POST', `${prefix}/mpu/complete/${root}`, { token, json: { path: '/x/aborted.bin', upload_id: created.upload_id, parts: [] } });
    expect(complete.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await list(token, prefix, root)).toEqual({ status: 200, body: {} });
    await nothingStored(project.id);
  }, 60_000);

  it('refuses forged, altered, missing and expired part credentials', async () => {
    const { token, prefix, root } = await setup();
    const created = await create(token, prefix, root, '/x/signed.bin', 2);
    const url = new URL(created.credentials[1].url);
    const small = bytes(10, 1);
    const forged = new URL(url);
    forged.searchParams.set('signature', 'f'.repeat(64));
    const altered = new URL(url);
    altered.searchParams.set('parts', '3');
    const otherPart = new URL(url.toString().replace(/\/2\?/, '/1?'));
    const unsigned = new URL(url);
    unsigned.search = '';
    for (const bad of [forged, altered, otherPart, unsigned]) {
      const res = await putPart(bad.toString(), small);
      expect(res.status, bad.toString()).toBe(403);
      expect((await res.json<{ error_code: string }>()).error_code).toBe('PERMISSION_DENIED');
    }
    // An expired credential, correctly signed with the upload's key, is refused too.
    const [row] = await db().select().from(packageUploads).where(eq(packageUploads.uploadId, created.upload_id));
    const key = await crypto.subtle.importKey('raw', Uint8Array.from(row.partKey.match(/../g)!, (h) => parseInt(h, 16)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const past = Math.floor(Date.now() / 1000) - 10;
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${created.upload_id}:2:2:${past}`));
    const expired = new URL(url);
    expired.searchParams.set('expires', String(past));
    expired.searchParams.set('signature', [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join(''));
    const res = await putPart(expired.toString(), small);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('expired');
    // The genuine URL works.
    expect((await putPart(url.toString(), small)).status).toBe(200);
  });

  it('refuses a part under 5 MiB that is not the last, and a bad number of parts', async () => {
    const { token, prefix, root } = await setup();
    const created = await create(token, prefix, root, '/x/small-parts.bin', 2);
    const res = await putPart(created.credentials[0].url, bytes(1024, 1));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('5 MiB');
    for (const num_parts of [0, 10_001]) {
      const bad = await callJson('POST', `${prefix}/mpu/create/${root}/x.bin`, { token, json: { path: '/x', num_parts } });
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});
