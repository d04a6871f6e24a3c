import { describe, expect, it } from 'vitest';
import { checkBatchLimits, checkExperimentName, checkKey, checkMetric, checkParam, checkTag } from '../../src/tracking/limits';
import { InvalidInputError } from '../../src/errors';

describe("MLflow's limits", () => {
  it('accepts the names MLflow accepts and refuses the others with its words', () => {
    for (const ok of ['loss', 'train/loss', 'a b', 'x.y-z_1', 'eval:acc', 'é']) expect(() => checkKey('metric', ok, 'key')).not.toThrow();
    for (const bad of ['../up', '/abs', 'a//b', 'a/', '.', 'a/../b', '']) expect(() => checkKey('metric', bad, 'key'), bad).toThrow(InvalidInputError);
    expect(() => checkKey('parameter', 'a*b', 'key')).toThrow("Invalid parameter name: 'a*b'. Names may only contain alphanumerics");
  });

  it('caps lengths and names the field', () => {
    expect(() => checkParam('k'.repeat(250), 'v'.repeat(6000))).not.toThrow();
    const error = (() => {
      try {
        checkParam('k', 'v'.repeat(6001), 'params[3]');
      } catch (e) {
        return e as InvalidInputError;
      }
    })();
    expect(error?.message).toBe(`Param value '${'v'.repeat(250)}' had length 6001, which exceeded length limit of 6000`);
    expect(error?.field).toBe('params[3].value');
    expect(() => checkTag('t', 'v'.repeat(8000))).not.toThrow();
    expect(() => checkTag('t', 'v'.repeat(8001))).toThrow('Tag value');
    expect(() => checkExperimentName('e'.repeat(500))).not.toThrow();
    expect(() => checkExperimentName('e'.repeat(501))).toThrow('Experiment name exceeds the maximum length of 500 characters');
    expect(() => checkExperimentName('')).toThrow(InvalidInputError);
    expect(() => checkMetric('m', -1, 0)).toThrow('timestamp');
    expect(() => checkMetric('m', 1, 1.5)).toThrow('step');
  });

  it('counts a batch as MLflow does', () => {
    const params = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `p${i}` }));
    expect(() => checkBatchLimits(1000, [], 0)).not.toThrow();
    expect(() => checkBatchLimits(900, params(100), 0)).not.toThrow();
    expect(() => checkBatchLimits(901, params(100), 0)).toThrow('A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags.');
    expect(() => checkBatchLimits(801, params(100), 100)).toThrow('at most 1000 metrics, params, and tags');
    expect(() => checkBatchLimits(0, [{ key: 'a' }, { key: 'a' }], 0)).toThrow("Duplicate parameter keys have been submitted: ['a']");
  });
});
