/**
 * Prop and configuration checks shared by the constructs and the environment configuration, so that
 * every error has the same shape: it names the field, the value received and what is allowed.
 *
 * A value that is an unresolved token (a Terraform variable, another resource's attribute) is known only
 * at apply time: the checks let it pass, as AWS CDK's do, and leave it to the provider and AWS.
 */
import { Token } from 'cdktf';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

export function invalid(field: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(`\`${field}\` is ${show(value)}; ${allowed}.`);
}

export function requireIntegerInRange(field: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, value, `expected an integer from ${min} to ${max}`);
  }
}

export function requireOneOf<T>(field: string, value: T, allowed: readonly T[]): void {
  if (Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw invalid(field, value, `expected one of ${allowed.map(show).join(', ')}`);
  }
}

export function requireMatch(field: string, value: string, pattern: RegExp, description: string): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalid(field, value, `expected ${description}`);
  }
}
