/**
 * The part URLs of MLflow multipart uploads: `PUT <part url>` with the part's bytes, answered
 * with the part's `ETag` header (which the client hands back to `mpu/complete`). The MLflow
 * client sends no token here, so the URL carries its own short-lived signed credential (see
 * packages/multipart.ts) and this route does not authenticate (see its declaration,
 * `routes.mlflow.artifacts.uploadPart`); its errors keep MLflow's shape.
 *
 *   PUT /api/v4/projects/<project id>/ml/mlflow/api/2.0/mlflow-artifacts/mpu/parts/<upload id>/<part number>
 *       ?parts=<number of parts>&expires=<unix seconds>&signature=<hex HMAC>
 */
import { ForbiddenError, NotFoundError } from '../../errors';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { mlFlagOn } from '../../http/middleware';
import { uploadPart, type PartCredential } from '../../packages/multipart';
import { uploadBody } from '../file-transfer';

/** The URL a part is PUT to. */
export function partUrl(origin: string, projectId: number, uploadId: string, cred: PartCredential): string {
  const query = new URLSearchParams({ parts: String(cred.numParts), expires: String(cred.expires), signature: cred.signature });
  return `${origin}${routes.mlflow.artifacts.uploadPart.link({ id: projectId, upload_id: uploadId, part_number: cred.partNumber })}?${query}`;
}

const DIGITS = /^\d{1,12}$/;

/** The part route. */
export const artifactPartsApi = handlers().on(routes.mlflow.artifacts.uploadPart, async (c) => {
  const projectParam = c.req.param('id') ?? '';
  const partNumber = c.req.param('part_number');
  if (!DIGITS.test(projectParam) || !DIGITS.test(partNumber)) throw new NotFoundError('Upload not found');
  const projectId = Number(projectParam);
  const { parts, expires, signature } = c.req.query();
  if (!parts || !expires || !signature || !DIGITS.test(parts) || !DIGITS.test(expires) || !/^[0-9a-f]{64}$/i.test(signature)) {
    throw new ForbiddenError('this part URL is missing its signed credential (parts, expires, signature)');
  }
  if (!(await mlFlagOn(c, projectId))) throw new NotFoundError('Not Found');
  const { body, length } = uploadBody(c);
  const { etag } = await uploadPart(
    { db: c.get('db'), bucket: c.env.ARTIFACTS },
    projectId,
    c.req.param('upload_id'),
    { partNumber: Number(partNumber), numParts: Number(parts), expires: Number(expires), signature },
    body,
    length,
  );
  c.header('ETag', `"${etag}"`);
  return c.json({});
});
