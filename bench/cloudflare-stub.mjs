// For bench/sql-capture.ts under plain Node: the domain's `cloudflare:workers` import (the metric
// history Durable Object's base class and env) resolves to a stand-in, since only SQL is recorded.
import { register } from 'node:module';

const stub = 'export class DurableObject {}; export const env = {};';
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'cloudflare:workers') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(stub)}), shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
