/**
 * Who the ML packages of a page belong to, by name: the candidate (run name), the logged model
 * (its id and name) or the model version (model name and number), read in one round trip per
 * kind. Packages whose owner is gone are left out.
 */
import type { Database } from '../db/client';
import { mlOwnerOf } from '../packages/names';
import { loadCandidateRows } from './candidate-table';
import { loadLoggedModels } from './logged-models';
import { loadModelVersions } from './registry/entities';

/** What an ML package belongs to. */
export type PackageOwner =
  | { kind: 'candidate'; candidateId: number; name: string }
  | { kind: 'logged_model'; modelId: string; name: string }
  | { kind: 'model_version'; modelName: string; version: number };

/** The owners of the ML packages among `names` (of project `projectId`), by package name. */
export async function packageOwners(db: Database, projectId: number, names: string[]): Promise<Map<string, PackageOwner>> {
  const ids = { candidate: [] as number[], logged_model: [] as number[], model_version: [] as number[] };
  for (const name of names) {
    const owner = (() => {
      try {
        return mlOwnerOf(name);
      } catch {
        return null;
      }
    })();
    if (owner) ids[owner.kind].push(owner.id);
  }
  const [candidates, models, versions] = await Promise.all([
    loadCandidateRows(db, ids.candidate),
    loadLoggedModels(db, ids.logged_model),
    loadModelVersions(db, ids.model_version),
  ]);
  const out = new Map<string, PackageOwner>();
  for (const c of candidates) out.set(`ml_candidate_${c.id}`, { kind: 'candidate', candidateId: c.id, name: c.name || c.runId });
  for (const m of models) if (m.projectId === projectId && m.lifecycleStage === 'active') out.set(`ml_model_${m.seq}`, { kind: 'logged_model', modelId: m.id, name: m.name });
  for (const v of versions) out.set(`ml_model_version_${v.id}`, { kind: 'model_version', modelName: v.name, version: v.version });
  return out;
}
