/**
 * Input validation shared by every protocol: zod schemas checked here, failures turned into
 * InvalidInputError naming the field, so each protocol answers in its own error shape.
 */
import type { ZodType } from 'zod';
import { InvalidInputError } from './errors';

/** Parses `data` with `schema`, or throws InvalidInputError naming the first bad field. */
export function parseInput<T>(schema: ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.');
  throw new InvalidInputError(field ? `${field}: ${issue.message}` : issue.message, field || undefined);
}
