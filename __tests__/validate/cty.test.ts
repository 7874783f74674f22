import { primitiveConversionProblem } from '../../scripts/terraform-validate/cty';

describe('primitiveConversionProblem follows Terraform conversions', () => {
  it.each([
    [10, 'string'],
    [true, 'string'],
    ['10', 'number'],
    ['-1.5e3', 'number'],
    ['true', 'bool'],
    ['0', 'bool'],
    [false, 'bool'],
  ] as const)('accepts %j as a %s', (value, type) => {
    expect(primitiveConversionProblem(value, type)).toBeUndefined();
  });

  it.each([
    ['abc', 'number', 'expected a number, got string "abc"'],
    ['10 ', 'number', 'expected a number, got string "10 "'],
    [true, 'number', 'expected a number, got bool true'],
    [1, 'bool', 'expected a bool, got number 1'],
    ['True', 'bool', 'expected a bool, got string "True" (only "true", "false", "1" and "0" convert)'],
  ] as const)('rejects %j as a %s', (value, type, message) => {
    expect(primitiveConversionProblem(value, type)).toBe(message);
  });
});
