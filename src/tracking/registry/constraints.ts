/** SQLite constraint failures, read out of D1's errors (D1 reports them in the message). */

/** Whether a database error is a FOREIGN KEY violation: what a row refers to went away meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/FOREIGN KEY constraint failed/i.test(e.message)) return true;
  }
  return false;
}
