/**
 * MLflow REST: model versions (`.../api/2.0/mlflow/model-versions/...`). Thin: parse, call the
 * registry, shape the answer.
 */
import { z } from 'zod';
import { routes } from '../../http/routes';
import { getModelVersionDownloadUri, readPackageUrl } from '../../http/artifact-uris';
import { handlers } from '../../http/mount';
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
import { idField, mlflowInput, originOf, projectIdOf, required, tagsField } from './input';
import { modelVersionJson } from './registry-json';
import { searchEndpoint, searchInput } from './search';

const nameAndVersion = { name: required('name'), version: idField('version') };
const inputs = {
  create: z.object({
    name: required('name'),
    source: required('source'),
    run_id: z.string().optional(),
    tags: tagsField,
    run_link: z.string().optional(),
    description: z.string().optional(),
    model_id: z.string().optional(),
  }),
  version: z.object(nameAndVersion),
  update: z.object({ ...nameAndVersion, description: z.string().optional() }),
  search: searchInput({}),
  setTag: z.object({ ...nameAndVersion, key: required('key'), value: z.string().default('') }),
  key: z.object({ ...nameAndVersion, key: required('key') }),
  transitionStage: z.object({ ...nameAndVersion, stage: required('stage'), archive_existing_versions: z.boolean().optional() }),
};

const search = searchEndpoint(
  inputs.search,
  'model_versions',
  async (c, input, paging) => {
    const page = await searchModelVersions(c.get('db'), projectIdOf(c), { ...paging, orderBy: input.order_by });
    return { items: page.versions, nextPageToken: page.nextPageToken };
  },
  modelVersionJson,
);

/** The model-versions endpoints (declared in `routes.mlflow.modelVersions`). */
export const modelVersionsApi = handlers()
  .on(routes.mlflow.modelVersions.create, async (c) => {
    const input = await mlflowInput(c, inputs.create);
    const version = await createModelVersion(c.get('db'), c.get('access').project, {
      name: input.name,
      source: input.source,
      runId: input.run_id,
      modelId: input.model_id,
      runLink: input.run_link,
      description: input.description,
      tags: input.tags,
      userId: c.get('actor')?.user.id ?? null,
    }, readPackageUrl);
    return c.json({ model_version: modelVersionJson(version, originOf(c), c) });
  })
  .on(routes.mlflow.modelVersions.get, async (c) => {
    const input = await mlflowInput(c, inputs.version);
    return c.json({ model_version: modelVersionJson(await getModelVersion(c.get('db'), projectIdOf(c), input.name, input.version), originOf(c), c) });
  })
  .on(routes.mlflow.modelVersions.update, async (c) => {
    const input = await mlflowInput(c, inputs.update);
    return c.json({ model_version: modelVersionJson(await updateModelVersion(c.get('db'), projectIdOf(c), input.name, input.version, input.description), originOf(c), c) });
  })
  .on(routes.mlflow.modelVersions.delete, async (c) => {
    const input = await mlflowInput(c, inputs.version);
    await deleteModelVersion(c.get('db'), projectIdOf(c), input.name, input.version);
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.search, search)
  .on(routes.mlflow.modelVersions.setTag, async (c) => {
    const input = await mlflowInput(c, inputs.setTag);
    await setModelVersionTag(c.get('db'), projectIdOf(c), input.name, input.version, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.deleteTag, async (c) => {
    const input = await mlflowInput(c, inputs.key);
    await deleteModelVersionTag(c.get('db'), projectIdOf(c), input.name, input.version, input.key);
    return c.json({});
  })
  .on(routes.mlflow.modelVersions.transitionStage, async (c) => {
    const input = await mlflowInput(c, inputs.transitionStage);
    const version = await transitionModelVersionStage(c.get('db'), projectIdOf(c), {
      name: input.name,
      version: input.version,
      stage: input.stage,
      archiveExisting: input.archive_existing_versions,
    });
    return c.json({ model_version: modelVersionJson(version, originOf(c), c) });
  })
  .on(routes.mlflow.modelVersions.downloadUri, async (c) => {
    const input = await mlflowInput(c, inputs.version);
    return c.json({ artifact_uri: await getModelVersionDownloadUri(c.get('db'), c.get('access').project, input.name, input.version, originOf(c)) });
  });
