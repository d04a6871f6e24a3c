/**
 * MLflow REST: model versions (`.../api/2.0/mlflow/model-versions/...`). Thin: parse, call the
 * registry, shape the answer.
 */
import type { Context } from 'hono';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { getModelVersionDownloadUri } from '../../http/artifact-uris';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { requireAbility } from '../../http/middleware';
import { searchModelVersions } from '../../tracking/registry/search';
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getModelVersion,
  setModelVersionTag,
  transitionModelVersionStage,
  updateModelVersion,
} from '../../tracking/registry/versions';
import { int64, mlflowInput } from './input';
import { listField, modelVersionJson, required, tagsField, versionField } from './registered-models';

const projectId = (c: Context<AppEnv>) => c.get('access').project.id;
const origin = (c: Context<AppEnv>) => new URL(c.req.url).origin;

const nameAndVersion = z.object({ name: required('name'), version: versionField });
const searchInput = z.object({
  filter: z.string().optional(),
  max_results: int64.optional(),
  order_by: listField,
  page_token: z.string().optional(),
});

async function search(c: Context<AppEnv>) {
  const input = await mlflowInput(c, searchInput);
  const page = await searchModelVersions(c.get('db'), projectId(c), {
    filter: input.filter,
    orderBy: input.order_by,
    maxResults: input.max_results,
    pageToken: input.page_token,
  });
  return c.json({
    ...(page.versions.length ? { model_versions: page.versions.map(modelVersionJson) } : {}),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  });
}

/** The model-versions sub-app, mounted at `.../api/2.0/mlflow/model-versions`. */
export const modelVersionsApi = handlers()
  .on(routes.mlflow.modelVersions.create, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(
      c,
      z.object({
        name: required('name'),
        source: required('source'),
        run_id: z.string().optional(),
        tags: tagsField,
        run_link: z.string().optional(),
        description: z.string().optional(),
        model_id: z.string().optional(),
      }),
    );
    const version = await createModelVersion(c.get('db'), c.get('access').project, {
      name: input.name,
      source: input.source,
      runId: input.run_id,
      modelId: input.model_id,
      runLink: input.run_link,
      description: input.description,
      tags: input.tags,
      userId: c.get('actor')?.user.id ?? null,
      origin: origin(c),
    });
    return c.json({ model_version: modelVersionJson(version) });
  })
  .on(routes.mlflow.modelVersions.get, async (c) => {
    const input = await mlflowInput(c, nameAndVersion);
    return c.json({ model_version: modelVersionJson(await getModelVersion(c.get('db'), projectId(c), input.name, input.version)) });
  })
  .on(routes.mlflow.modelVersions.update, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameAndVersion.extend({ description: z.string().optional() }));
    return c.json({ model_version: modelVersionJson(await updateModelVersion(c.get('db'), projectId(c), input.name, input.version, input.description)) });
  })
  .on(routes.mlflow.modelVersions.delete, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameAndVersion);
    await deleteModelVersion(c.get('db'), projectId(c), input.name, input.version);
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.search, search)
  .on(routes.mlflow.modelVersions.setTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameAndVersion.extend({ key: required('key'), value: z.string().default('') }));
    await setModelVersionTag(c.get('db'), projectId(c), input.name, input.version, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.deleteTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameAndVersion.extend({ key: required('key') }));
    await deleteModelVersionTag(c.get('db'), projectId(c), input.name, input.version, input.key);
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.transitionStage, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameAndVersion.extend({ stage: required('stage'), archive_existing_versions: z.boolean().optional() }));
    const version = await transitionModelVersionStage(c.get('db'), projectId(c), {
      name: input.name,
      version: input.version,
      stage: input.stage,
      archiveExisting: input.archive_existing_versions,
    });
    return c.json({ model_version: modelVersionJson(version) });
  })
  .on(routes.mlflow.modelVersions.downloadUri, async (c) => {
    const input = await mlflowInput(c, nameAndVersion);
    return c.json({ artifact_uri: await getModelVersionDownloadUri(c.get('db'), c.get('access').project, input.name, input.version, origin(c)) });
  });
