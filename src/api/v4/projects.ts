/** GitLab's projects and members API. */
import { z } from 'zod';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import { requireActor } from '../../http/middleware';
import { deleteProject } from '../../usecases/delete-project';
import {
  addMember,
  checkNamespaceFor,
  createProject,
  listMembers,
  listProjects,
  projectJson,
  removeMember,
  updateMember,
  updateProject,
} from '../../access/projects';
import { pageOf, params } from './input';

const NewProjectInput = z.object({
  path: z.string(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
});

const ProjectPatch = z.object({ name: z.string().optional(), description: z.string().optional() });

const level = z.union([z.number().int(), z.string().regex(/^\d+$/, 'must be a number').transform(Number)]);
const MemberInput = z.object({ user_id: level, access_level: level });
const MemberPatch = z.object({ access_level: level });

const memberJson = (m: { userId: number; username: string; name: string; accessLevel: number }) => ({
  id: m.userId,
  username: m.username,
  name: m.name,
  access_level: m.accessLevel,
});

const userIdParam = (raw: string | undefined) => (/^\d+$/.test(raw ?? '') ? Number(raw) : -1);

/** Routes under /api/v4/projects. */
export const projectsApi = handlers()
  .on(routes.projectsApi.list, async (c) => c.json((await listProjects(c.get('db'), requireActor(c), pageOf(c))).map(projectJson)))
  .on(routes.projectsApi.create, async (c) => {
    const actor = requireActor(c);
    const input = await params(c, NewProjectInput);
    const namespace = input.namespace ?? actor.user.username;
    checkNamespaceFor(actor, namespace);
    const project = await createProject(c.get('db'), actor.user.id, { ...input, namespace });
    return c.json(projectJson(project), 201);
  })
  .on(routes.projectsApi.get, (c) => c.json(projectJson(c.get('access').project)))
  .on(routes.projectsApi.update, async (c) => {
    const project = await updateProject(c.get('db'), c.get('access').project.id, await params(c, ProjectPatch));
    return c.json(projectJson(project));
  })
  .on(routes.projectsApi.delete, async (c) => {
    await deleteProject(c.get('db'), c.env.ARTIFACTS, c.get('access').project.id);
    return c.json({ message: '202 Accepted' }, 202);
  })
  .on(routes.projectsApi.members, async (c) =>
    c.json((await listMembers(c.get('db'), c.get('access').project.id)).map(memberJson)),
  )
  .on(routes.projectsApi.addMember, async (c) => {
    const input = await params(c, MemberInput);
    const projectId = c.get('access').project.id;
    await addMember(c.get('db'), projectId, input.user_id, input.access_level, c.get('access').level);
    const member = (await listMembers(c.get('db'), projectId)).find((m) => m.userId === input.user_id)!;
    return c.json(memberJson(member), 201);
  })
  .on(routes.projectsApi.updateMember, async (c) => {
    const input = await params(c, MemberPatch);
    const projectId = c.get('access').project.id;
    const userId = userIdParam(c.req.param('user_id'));
    await updateMember(c.get('db'), projectId, userId, input.access_level, c.get('access').level);
    const member = (await listMembers(c.get('db'), projectId)).find((m) => m.userId === userId)!;
    return c.json(memberJson(member));
  })
  .on(routes.projectsApi.removeMember, async (c) => {
    await removeMember(c.get('db'), c.get('access').project.id, userIdParam(c.req.param('user_id')), c.get('access').level);
    return c.body(null, 204);
  })
  .on(routes.projectsApi.unknown, (c) => c.json({ message: '404 Not Found' }, 404));
