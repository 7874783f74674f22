/** A JSON object (not an array, not null): what parsed files are checked with before their keys are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
