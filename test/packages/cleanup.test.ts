import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import worker from '../../src/index';
import { packageUploads, packages } from '../../src/db/schema';
import { packagePrefix } from '../../src/packages/storage';
import { call, callJson, db, seedProject, seedUser } from '../helpers';
import { bytes, r2Keys, seedCandidate } from './seed';

const DAY = 24 * 3600 * 1000;
const runCron = () => worker.scheduled({ cron: '*/5 * * * *', scheduledTime: Date.now(), noRetry() {} }, env);

describe('the scheduled cleanup of what uploads leave behind', () => {
  it('aborts multipart uploads unfinished after 7 days, forgets completed ones after a day, and deletes packages left empty', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const artifacts = `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts`;
    const root = `ml_candidate_${await seedCandidate(project.id)}/-`;
    const start = async (file: string) => {
      const res = await callJson('POST', `${artifacts}/mpu/create/${root}`, { token, json: { path: `/tmp/${file}`, num_parts: 1 } });
      const part = await call('PUT', res.body.credentials[0].url.replace(/^https?:\/\/[^/]+/, ''), { body: bytes(2000, 3), headers: { 'content-length': '2000' } });
      return { uploadId: res.body.upload_id as string, parts: [{ part_number: 1, etag: part.headers.get('etag')! }] };
    };
    const complete = (file: string, u: { uploadId: string; parts: unknown[] }) => callJson('POST', `${artifacts}/mpu/complete/${root}`, { token, json: { path: `/tmp/${file}`, upload_id: u.uploadId, parts: u.parts } });
    const age = (uploadId: string, set: { createdAt?: number; completedAt?: number }) => db().update(packageUploads).set(set).where(eq(packageUploads.uploadId, uploadId));

    const stale = await start('stale.bin');
    await age(stale.uploadId, { createdAt: Date.now() - 8 * DAY });
    const recent = await start('recent.bin');
    await age(recent.uploadId, { createdAt: Date.now() - 6 * DAY });
    const done = await start('done.bin');
    expect((await complete('done.bin', done)).status).toBe(200);
    await age(done.uploadId, { completedAt: Date.now() - 2 * DAY });
    const [staleRow] = await db().select().from(packageUploads).where(eq(packageUploads.uploadId, stale.uploadId));

    // a generic upload refused after its package was made (cut short of its Content-Length) leaves the package listed, empty
    const abandon = async (name: string) => {
      const short = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes(1000, 5));
          controller.close();
        },
      });
      const res = await call('PUT', `/api/v4/projects/${project.id}/packages/generic/${name}/1.0/model.bin`, { token, body: short, headers: { 'content-length': '5000' } });
      expect(res.status).toBe(400);
      return name;
    };
    const leftBehindName = await abandon('left-behind');
    const freshName = await abandon('fresh');
    const listed = async () => (await callJson('GET', `/api/v4/projects/${project.id}/packages`, { token })).body.map((p: { name: string }) => p.name);
    expect(await listed()).toEqual(expect.arrayContaining([leftBehindName, freshName]));
    const [leftBehind] = await db().select().from(packages).where(eq(packages.name, leftBehindName));
    // a killed upload's object may be left under its prefix too
    await env.ARTIFACTS.put(`${packagePrefix(project.id, leftBehind.id)}blobs/orphan`, 'x');
    await db().update(packages).set({ updatedAt: Date.now() - 2 * 3600 * 1000 }).where(eq(packages.id, leftBehind.id));

    await runCron();

    const uploads = (await db().select().from(packageUploads)).map((u) => u.uploadId);
    expect(uploads).not.toContain(stale.uploadId);
    expect(uploads).not.toContain(done.uploadId);
    expect(uploads).toContain(recent.uploadId);
    // the stale upload is aborted in R2: its parts can no longer be joined
    await expect(env.ARTIFACTS.resumeMultipartUpload(staleRow.r2Key, stale.uploadId).complete([{ partNumber: 1, etag: stale.parts[0].etag.replace(/"/g, '') }])).rejects.toThrow();
    expect((await complete('stale.bin', stale)).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    // the completed file stays; the recent upload still completes
    expect((await call('GET', `${artifacts}/artifacts/${root}/done.bin`, { token })).status).toBe(200);
    expect((await complete('recent.bin', recent)).status).toBe(200);
    // the empty package and its leftovers are gone; one emptied less than an hour ago stays
    const names = await listed();
    expect(names).not.toContain(leftBehindName);
    expect(names).toContain(freshName);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(project.id, leftBehind.id))).toEqual([]);
  });
});
