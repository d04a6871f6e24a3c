/**
 * A model's `MLmodel` file (YAML, written by MLflow's `log_model`): its flavors, signature and
 * input example, read from the package that holds the model's files. Parsed with `yaml`
 * (eemeli/yaml: YAML 1.2, no dependencies, runs in Workers); only what the pages show is kept.
 */
import { parse } from 'yaml';
import type { Database } from '../db/client';
import { getFile, readFile } from '../packages/files';
import type { Package } from '../packages/packages';
import { NotFoundError } from '../errors';

/** At most this much of an MLmodel file is read (real ones are a few KB). */
export const MLMODEL_MAX_BYTES = 256 * 1024;
/** At most this much of an input example is shown. */
export const INPUT_EXAMPLE_MAX_BYTES = 64 * 1024;

/** One column (or tensor) of a signature, as the page shows it. */
export type SignatureField = { name: string | null; type: string; required: boolean };

/** A model signature: inputs, outputs and inference params (each absent when not logged). */
export type Signature = { inputs: SignatureField[] | null; outputs: SignatureField[] | null; params: SignatureField[] | null };

/** What an MLmodel says. */
export type MlModel = {
  /** The flavors (`python_function`, `sklearn`, …) and the library version each names. */
  flavors: { name: string; version: string | null }[];
  signature: Signature | null;
  /** The input example's path inside the model, its kind, and its text (cut to INPUT_EXAMPLE_MAX_BYTES). */
  inputExample: { path: string; type: string | null; text: string; truncated: boolean } | null;
  mlflowVersion: string | null;
  createdAt: string | null;
  modelId: string | null;
};

async function readText(bucket: R2Bucket, file: Awaited<ReturnType<typeof getFile>>, max: number): Promise<{ text: string; truncated: boolean }> {
  const length = Math.min(file.size, max);
  if (length === 0) return { text: '', truncated: false };
  const bytes = await new Response(await readFile(bucket, file, { offset: 0, length })).arrayBuffer();
  return { text: new TextDecoder().decode(bytes), truncated: file.size > length };
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

function typeOf(spec: Record<string, unknown>): string {
  if (spec.type === 'tensor' && spec['tensor-spec'] && typeof spec['tensor-spec'] === 'object') {
    const t = spec['tensor-spec'] as { dtype?: unknown; shape?: unknown };
    return `tensor ${str(t.dtype) ?? ''}${Array.isArray(t.shape) ? ` (${t.shape.join(', ')})` : ''}`.trim();
  }
  if (spec.type === 'array' && spec.items && typeof spec.items === 'object') return `array of ${typeOf(spec.items as Record<string, unknown>)}`;
  if (spec.type === 'object' && Array.isArray(spec.properties)) return 'object';
  const type = str(spec.type) ?? 'unknown';
  return spec.shape !== undefined && Array.isArray(spec.shape) ? `${type} (${spec.shape.join(', ')})` : type;
}

/** A signature part: MLflow stores each as a JSON text inside the YAML. */
function signatureFields(raw: unknown): SignatureField[] | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  let specs: unknown;
  try {
    specs = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(specs)) return null;
  return specs
    .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
    .map((s) => ({ name: str(s.name), type: typeOf(s), required: s.required !== false }));
}

/**
 * The MLmodel under `dir` of `pkg` (`""`: the package root), or null when there is none or it
 * is no YAML mapping. The input example is read too when the MLmodel names one.
 */
export async function readMlModel(db: Database, bucket: R2Bucket, pkg: Package | undefined, dir: string): Promise<MlModel | null> {
  const at = (name: string) => (dir ? `${dir}/${name}` : name);
  const file = await getFile(db, pkg, at('MLmodel')).catch((e) => {
    if (e instanceof NotFoundError) return null;
    throw e;
  });
  if (!file) return null;
  let doc: unknown;
  try {
    doc = parse((await readText(bucket, file, MLMODEL_MAX_BYTES)).text);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const m = doc as Record<string, unknown>;
  const flavors = m.flavors && typeof m.flavors === 'object' ? Object.entries(m.flavors as Record<string, unknown>) : [];
  const sig = m.signature && typeof m.signature === 'object' ? (m.signature as Record<string, unknown>) : null;
  const exampleInfo = m.saved_input_example_info && typeof m.saved_input_example_info === 'object' ? (m.saved_input_example_info as Record<string, unknown>) : null;
  let inputExample: MlModel['inputExample'] = null;
  const examplePath = str(exampleInfo?.artifact_path);
  if (examplePath) {
    const exampleFile = await getFile(db, pkg, at(examplePath)).catch(() => null);
    if (exampleFile) inputExample = { path: examplePath, type: str(exampleInfo?.type), ...(await readText(bucket, exampleFile, INPUT_EXAMPLE_MAX_BYTES)) };
  }
  return {
    flavors: flavors.map(([name, conf]) => {
      const c = conf && typeof conf === 'object' ? (conf as Record<string, unknown>) : {};
      const version = str(c[`${name}_version`]) ?? str(c.python_version) ?? str(c.version);
      return { name, version };
    }),
    signature: sig ? { inputs: signatureFields(sig.inputs), outputs: signatureFields(sig.outputs), params: signatureFields(sig.params) } : null,
    inputExample,
    mlflowVersion: str(m.mlflow_version),
    createdAt: str(m.utc_time_created),
    modelId: str(m.model_id),
  };
}
