// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings under test are Terraform templates
import {
  analyzeExpression,
  analyzeTemplate,
  formatTraversal,
} from '../../scripts/terraform-validate/expressions';

function references(template: string): string[] {
  return analyzeTemplate(template).traversals.map(formatTraversal);
}

describe('analyzeTemplate', () => {
  it.each([
    ['${aws_vpc.Main.id}', ['aws_vpc.Main.id']],
    ['subnet-${var.suffix}', ['var.suffix']],
    ['${aws_subnet.Private[0].id}', ['aws_subnet.Private[0].id']],
    ['${aws_subnet.Private[*].id}', ['aws_subnet.Private[*].id']],
    ['${aws_subnet.Private.0.id}', ['aws_subnet.Private[0].id']],
    ['${aws_subnet.Public["a"].id}', ['aws_subnet.Public["a"].id']],
    ['${aws_subnet.Private[count.index].id}', ['count.index', 'aws_subnet.Private[…].id']],
    [
      '${data.terraform_remote_state.cross-stack-input-net.outputs.vpc-id}',
      ['data.terraform_remote_state.cross-stack-input-net.outputs.vpc-id'],
    ],
  ])('finds the references in %s', (template, expected) => {
    expect(references(template)).toEqual(expected);
  });

  it.each([
    ['function names', '${join(",", [local.a, "b"])}', ['local.a']],
    [
      'provider-defined function names',
      '${provider::aws::arn_parse(aws_iam_role.R.arn).account_id}',
      ['aws_iam_role.R.arn'],
    ],
    ['string literals inside expressions', '${lookup(var.m, "aws_vpc.Main.id", "x.y")}', ['var.m']],
    ['object keys', '${{ name = var.name, "k" = local.v, port: 80 }}', ['var.name', 'local.v']],
    ['attributes of non-references', '${element({"a" = 1}.a, 0)}', []],
    ['for-expression iterators', '${{ for k, v in var.m : k => v.id if v.enabled }}', ['var.m']],
    ['template-directive iterators', '%{ for s in var.subnets }${s.id},%{ endfor }', ['var.subnets']],
    ['escaped interpolations', '$${aws_vpc.Main.id} and %%{ if x }', []],
    ['keywords', '${var.on ? true : null}', ['var.on']],
  ])('ignores %s', (_, template, expected) => {
    expect(references(template)).toEqual(expected);
  });

  it('finds references in templates nested in string literals, with the iterator in scope', () => {
    expect(references('${[for s in var.names : "${s}-${local.suffix}"]}')).toEqual([
      'var.names',
      'local.suffix',
    ]);
  });

  it('treats names given as in scope (a dynamic block iterator) as not references', () => {
    const analysis = analyzeTemplate('${target.value.port + var.offset}', new Set(['target']));
    expect(analysis.traversals.map(formatTraversal)).toEqual(['var.offset']);
  });

  it('tells a single interpolation, whose value can have any type, from a string template', () => {
    expect(analyzeTemplate('${var.list}')).toMatchObject({ isTemplate: true, isSingleInterpolation: true });
    expect(analyzeTemplate('${var.a}${var.b}')).toMatchObject({
      isTemplate: true,
      isSingleInterpolation: false,
    });
    expect(analyzeTemplate(' ${var.list}')).toMatchObject({ isTemplate: true, isSingleInterpolation: false });
    expect(analyzeTemplate('plain $${text}')).toMatchObject({
      isTemplate: false,
      isSingleInterpolation: false,
    });
  });

  it('reports an unterminated interpolation', () => {
    expect(analyzeTemplate('${var.a').error).toContain('unterminated');
    expect(analyzeTemplate('${lookup(var.m, "k)}').error).toContain('unterminated');
  });
});

describe('analyzeExpression', () => {
  it('reads a bare reference, as written in depends_on', () => {
    expect(analyzeExpression('aws_security_group.Service').traversals.map(formatTraversal)).toEqual([
      'aws_security_group.Service',
    ]);
  });
});
