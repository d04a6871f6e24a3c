import { describe, expect, it } from 'vitest';
import { decode, spanTree } from '../../src/tracking/traces/trace-detail';
import type { Span } from '../../src/tracking/traces/spans';

const span = (id: string, parent: string | null, start: number): Span => ({
  trace_id: 't',
  span_id: id,
  parent_span_id: parent,
  name: id,
  start_time_unix_nano: start,
  end_time_unix_nano: start + 1,
  status: { code: 'STATUS_CODE_OK', message: '' },
  attributes: {},
  events: [],
});

describe('the span tree of a trace page', () => {
  it('puts children under their parent, siblings by start time, whatever order the file lists them in', () => {
    const tree = spanTree([span('c2', 'root', 30), span('g', 'c1', 25), span('root', null, 0), span('c1', 'root', 20)]);
    expect(tree.map((t) => `${t.span.span_id}@${t.depth}`)).toEqual(['root@0', 'c1@1', 'g@2', 'c2@1']);
  });

  it('shows a span whose parent is missing, or that is its own parent, at the root instead of dropping it', () => {
    const tree = spanTree([span('a', null, 0), span('lost', 'nowhere', 5), span('self', 'self', 7)]);
    expect(tree.map((t) => `${t.span.span_id}@${t.depth}`)).toEqual(['a@0', 'lost@0', 'self@0']);
  });

  it('never loops on a cycle of parents, and still shows its spans from the earliest', () => {
    const tree = spanTree([span('x', 'y', 0), span('y', 'x', 1), span('r', null, 2)]);
    expect(tree.map((t) => `${t.span.span_id}@${t.depth}`)).toEqual(['r@0', 'x@0', 'y@1']);
  });

  it('decodes attribute values from JSON text, and keeps text that is not JSON', () => {
    expect(decode('{"a": [1, 2]}')).toEqual({ json: { a: [1, 2] } });
    expect(decode('"LLM"')).toEqual({ json: 'LLM' });
    expect(decode('<b>not json</b>')).toEqual({ text: '<b>not json</b>' });
  });
});
