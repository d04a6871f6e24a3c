/**
 * How metric values are stored: SQLite has no NaN or infinities, so (as MLflow does) NaN is
 * stored as 0 with `is_nan` set and ±Infinity as ±1.7976931348623157e308 (so they still sort
 * right). Reading gives back exactly what was logged: NaN, Infinity, -Infinity.
 */

/** The largest double; ±Infinity are stored as ± this. */
export const MAX_DOUBLE = 1.7976931348623157e308;

/** The stored form of a logged value. */
export function encodeMetricValue(value: number): { value: number; isNan: 0 | 1 } {
  if (Number.isNaN(value)) return { value: 0, isNan: 1 };
  if (value === Infinity) return { value: MAX_DOUBLE, isNan: 0 };
  if (value === -Infinity) return { value: -MAX_DOUBLE, isNan: 0 };
  return { value, isNan: 0 };
}

/** The logged value back from its stored form. */
export function decodeMetricValue(value: number, isNan: number | boolean): number {
  if (isNan) return NaN;
  if (value >= MAX_DOUBLE) return Infinity;
  if (value <= -MAX_DOUBLE) return -Infinity;
  return value;
}
