import type { DeployPermission, Scope } from './context';

/**
 * The custom domain (`api.customDomain`), when an environment has one: its certificate (new ones must
 * carry the environment's tags and be for the domain alone, validated by DNS), its records (in its zone
 * only, under its name only) and its API Gateway domain name and mapping (by the domain's name).
 */
export function domainPermissions(scope: Scope): DeployPermission[] {
  const domain = scope.customDomain;
  if (!domain) return [];
  const { arn, context, region, taggedForEnvironment, creatingForEnvironment, retaggingOwn } = scope;
  const { domainName, hostedZoneId } = domain;
  const apigateway = (path: string) => `arn:${context.partition}:apigateway:${region}::${path}`;
  const certificates = arn('acm', 'certificate/*');
  return [
    {
      policy: 'domain',
      neededBy: ['aws_acm_certificate'],
      statement: {
        Sid: 'NewCertificate',
        Effect: 'Allow',
        // Tags given with the request need AddTagsToCertificate too.
        Action: ['acm:RequestCertificate', 'acm:AddTagsToCertificate'],
        Resource: certificates,
        Condition: {
          ...creatingForEnvironment,
          'ForAllValues:StringEquals': { 'acm:DomainNames': [domainName] },
          StringEquals: { ...creatingForEnvironment.StringEquals, 'acm:ValidationMethod': 'DNS' },
        },
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_acm_certificate', 'aws_acm_certificate_validation'],
      statement: {
        Sid: 'Certificate',
        Effect: 'Allow',
        Action: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate', 'acm:DeleteCertificate'],
        Resource: certificates,
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_acm_certificate'],
      statement: {
        Sid: 'RetagCertificate',
        Effect: 'Allow',
        Action: ['acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate'],
        Resource: certificates,
        Condition: retaggingOwn,
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_route53_record'],
      // ACM's validation CNAME (`_<token>.<domain>`) and the A and AAAA aliases: nothing else in the zone.
      statement: {
        Sid: 'DomainRecords',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: `arn:${context.partition}:route53:::hostedzone/${hostedZoneId}`,
        Condition: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [domainName, `_*.${domainName}`],
            'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'CNAME'],
          },
        },
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_route53_record'],
      statement: {
        Sid: 'DomainZoneReads',
        Effect: 'Allow',
        Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:GetChange'],
        Resource: [
          `arn:${context.partition}:route53:::hostedzone/${hostedZoneId}`,
          // A change's id is random: the change of a record set, just made, is read until it is in sync.
          `arn:${context.partition}:route53:::change/*`,
        ],
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_apigatewayv2_domain_name'],
      statement: {
        Sid: 'NewApiDomainName',
        Effect: 'Allow',
        Action: ['apigateway:POST'],
        Resource: apigateway('/domainnames'),
        Condition: creatingForEnvironment,
      },
    },
    {
      policy: 'domain',
      neededBy: ['aws_apigatewayv2_domain_name', 'aws_apigatewayv2_api_mapping'],
      // The environment's own domain name, by its name, and its mappings.
      statement: {
        Sid: 'ApiDomainName',
        Effect: 'Allow',
        Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE'],
        Resource: [
          apigateway(`/domainnames/${domainName}`),
          apigateway(`/domainnames/${domainName}/apimappings`),
          apigateway(`/domainnames/${domainName}/apimappings/*`),
        ],
      },
    },
  ];
}
