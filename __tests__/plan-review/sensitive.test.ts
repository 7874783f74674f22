import {
  collectSensitiveStrings,
  isMarked,
  redactSecrets,
  renderMaskedValue,
} from '../../scripts/plan-review/sensitive';
import { parseTerraformPlan } from '../../scripts/plan-review/terraform-plan';
import { fixture } from './fixtures';

describe('renderMaskedValue', () => {
  it('masks sensitive and unknown parts of a nested value', () => {
    const value = { name: 'api', environment: [{ name: 'API_KEY', value: 'abc-123-secret' }], arn: null };
    const sensitive = { environment: [{ value: true }] };
    const unknown = { arn: true };
    expect(renderMaskedValue(value, sensitive, unknown)).toBe(
      '{"name":"api","environment":[{"name":"API_KEY","value":(sensitive value)}],"arn":(known after apply)}',
    );
  });

  it('masks a whole value marked sensitive at the top', () => {
    expect(renderMaskedValue(['a-secret-list-item'], true)).toBe('(sensitive value)');
  });
});

describe('isMarked', () => {
  it('treats a marked ancestor as marking everything below it', () => {
    expect(isMarked({ settings: true }, ['settings', 'password'])).toBe(true);
    expect(isMarked({ settings: { password: true } }, ['settings', 'user'])).toBe(false);
    expect(isMarked({ rules: [false, { token: true }] }, ['rules', 1, 'token'])).toBe(true);
  });
});

describe('collectSensitiveStrings', () => {
  it('finds sensitive attributes, sensitive outputs, sensitive variables and each line of a multi-line secret', () => {
    const secrets = collectSensitiveStrings(parseTerraformPlan(fixture('sensitive').planJson));
    expect(secrets).toEqual(
      expect.arrayContaining([
        's3cr3t-old-api-key-7f3a',
        'n3w-s3cr3t-api-key-c4d1',
        'correct-horse-battery-staple',
        'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
      ]),
    );
    // Non-sensitive values of the same resources are not collected.
    expect(secrets).not.toContain('/petstore/dev/api-key');
    expect(secrets).not.toContain('petstore-dev-signing-key');
  });

  it('collects nothing from a plan without sensitive values', () => {
    expect(collectSensitiveStrings(parseTerraformPlan(fixture('creates').planJson))).toEqual([]);
  });
});

describe('redactSecrets', () => {
  it('replaces quoted, bare and JSON-escaped occurrences', () => {
    const text = [
      '~ value = "hunter2-secret" -> (known after apply)',
      'url = "https://user:hunter2-secret@db.internal"',
      'json = "{\\"password\\":\\"quote\\"d-secret\\"}"',
    ].join('\n');
    expect(redactSecrets(text, ['hunter2-secret', 'quote"d-secret'])).toBe(
      [
        '~ value = (sensitive value) -> (known after apply)',
        'url = "https://user:(sensitive value)@db.internal"',
        'json = "{\\"password\\":\\"(sensitive value)\\"}"',
      ].join('\n'),
    );
  });
});
