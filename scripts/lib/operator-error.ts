/** An operator's mistake (arguments, a missing synth, deploy or tool): its message says what to do, no stack trace. */
export class OperatorError extends Error {
  override name = 'OperatorError';
}
