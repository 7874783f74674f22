import { maskPlan, SENSITIVE } from '../../scripts/plan-review/mask';
import { fixture } from './fixtures';

/** A plan of one resource change whose values the given masks mark sensitive. */
function planOf(change: Record<string, unknown>) {
  return JSON.stringify({
    format_version: '1.2',
    resource_changes: [
      { address: 'aws_db_instance.main', mode: 'managed', change: { actions: ['update'], ...change } },
    ],
  });
}

describe('maskPlan', () => {
  const secrets = [
    's3cr3t-old-api-key-7f3a',
    'n3w-s3cr3t-api-key-c4d1',
    'correct-horse-battery-staple',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  ];

  it('leaves no sensitive attribute, output, variable or line of a multi-line secret in the plan or its text', () => {
    const { planJson, planText } = fixture('sensitive');
    for (const secret of secrets) expect(planJson).toContain(secret); // really in the input
    expect(planText).toContain('s3cr3t-old-api-key-7f3a'); // printed in clear by Terraform, copied to a tag
    const masked = maskPlan(planJson, planText, ['Warning: s3cr3t-old-api-key-7f3a']);
    const output = [JSON.stringify(masked.json), masked.text, ...masked.warnings].join('\n');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(masked.warnings).toEqual([`Warning: ${SENSITIVE}`]);
    // Values that are not sensitive stay.
    expect(output).toContain('/petstore/dev/api-key');
    expect(output).toContain('petstore-dev-signing-key');
  });

  it('masks a marked value whatever its length or type, inside lists and objects', () => {
    const masked = maskPlan(
      planOf({
        before: { port: 5432, password: 'abc', tags: ['public', 'pw'] },
        before_sensitive: { port: true, password: true, tags: [false, true] },
        after: { password: 'a-new-password' },
        after_sensitive: true,
      }),
      '',
    );
    expect(masked.json.resource_changes?.[0]?.change).toMatchObject({
      before: { port: SENSITIVE, password: SENSITIVE, tags: ['public', SENSITIVE] },
      after: SENSITIVE,
    });
  });

  it('replaces quoted, bare and JSON-escaped copies of a secret in the text', () => {
    const text = [
      '~ value = "hunter2-secret" -> (known after apply)',
      'url = "https://user:hunter2-secret@db.internal"',
      'json = "{\\"password\\":\\"quote\\"d-secret\\"}"',
    ].join('\n');
    const plan = planOf({
      before: { password: 'hunter2-secret', other: 'quote"d-secret' },
      before_sensitive: { password: true, other: true },
    });
    expect(maskPlan(plan, text).text).toBe(
      [
        '~ value = (sensitive value) -> (known after apply)',
        'url = "https://user:(sensitive value)@db.internal"',
        'json = "{\\"password\\":\\"(sensitive value)\\"}"',
      ].join('\n'),
    );
  });
});
