import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { candidates, experiments } from '../../src/db/schema';
import { db, seedMember, seedProject, seedUser, unique } from '../helpers';
import { getPage, signIn } from './helpers';

const XSS = '<script>alert(1)</script>';

async function seedExperiment(projectId: number, iid: number, name: string, updatedAt: number, userId: number | null = null) {
  const [row] = await db().insert(experiments).values({ projectId, iid, name, userId, createdAt: updatedAt - 1000, updatedAt }).returning();
  return row;
}

describe('List of Experiments', () => {
  it('shows the empty state with the tracking URI of this project and a copy button', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const res = await getPage(await signIn(token), `/${project.namespace}/${project.path}/-/ml/experiments`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('No experiments yet');
    expect(html).toContain(`MLFLOW_TRACKING_URI=&quot;http://flaretrack.test/api/v4/projects/${project.id}/ml/mlflow&quot;`);
    expect(html).toContain('data-copy-target="mlflow-snippet"');
    expect(html).toMatch(/<nav class="crumbs"[^]*href="\/">Projects<\/a>/);
  });

  it('lists experiments newest activity first with counts and creators, 20 per page, escaping names', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const t0 = Date.now();
    for (let i = 1; i <= 25; i++) await seedExperiment(project.id, i, i === 25 ? XSS : `exp-${i}`, t0 + i * 1000, user.id);
    const [e25] = await db().select().from(experiments).where(eq(experiments.name, XSS));
    for (let i = 0; i < 3; i++) {
      await db().insert(candidates).values({ runId: unique('r').padEnd(32, '0'), projectId: project.id, experimentId: e25.id, name: `c${i}`, startTime: t0 });
    }
    const browser = await signIn(token);
    const base = `/${project.namespace}/${project.path}/-/ml/experiments`;
    const html = await (await getPage(browser, base)).text();
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const names = [...html.matchAll(/<a href="[^"]*\/-\/ml\/experiments\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => 25 - i));
    expect(html).toMatch(/&lt;\/script&gt;<\/a><\/td><td class="num">3<\/td><td class="hide-small">[^<]+<\/td>/);
    expect(html).toContain(`>${user.username}<`);
    const next = /href="([^"]*\?after=[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
    const second = await getPage(browser, next, { htmx: true });
    const fragment = await second.text();
    expect(fragment.startsWith('<div id="experiments"')).toBe(true);
    expect(fragment).not.toContain('<html');
    expect([...fragment.matchAll(/\/-\/ml\/experiments\/(\d+)">/g)].map((m) => Number(m[1]))).toEqual([5, 4, 3, 2, 1]);
    expect(second.headers.get('vary')).toContain('HX-Request');
    expect(second.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('is 404 for non-members and guests, and with the flag off (then no ML links)', async () => {
    const { user, token } = await seedUser();
    const stranger = await seedUser();
    const guest = await seedUser();
    const project = await seedProject(user.id);
    await seedMember(project.id, guest.user.id, 10);
    const path = `/${project.namespace}/${project.path}/-/ml/experiments`;
    for (const u of [stranger, guest]) {
      const res = await getPage(await signIn(u.token), path);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('Page not found');
      expect(html).not.toContain(project.name);
    }
    const off = await seedProject(user.id, { ml: false });
    const browser = await signIn(token);
    const res = await getPage(browser, `/${off.namespace}/${off.path}/-/ml/experiments`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const overview = await (await getPage(browser, `/${off.namespace}/${off.path}`)).text();
    expect(overview).toContain('/-/packages');
    expect(overview).not.toContain('/-/ml/');
    // the same 404 as a project that does not exist
    expect((await getPage(browser, `/nobody/nothing/-/ml/experiments`)).status).toBe(404);
  });

  it('refuses a bad page cursor with 400, not a 500', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const res = await getPage(await signIn(token), `/${project.namespace}/${project.path}/-/ml/experiments?after=nope`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Invalid page_token');
  });
});
