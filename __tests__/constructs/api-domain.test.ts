// `api.customDomain`: the API at https://<domain>, and only there.
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import { PetHttpApi, type PetHttpApiProps } from '../../constructs/http-api';
import { httpApiProps, onlyResource, ref, resourcesOf, serviceDependencies, synthScope } from './support';

const ZONE = 'Z0123456789ABCDEFGHIJ';
const DOMAIN = { domainName: 'api.example.com', hostedZoneId: ZONE };

function synthApi(props: Partial<PetHttpApiProps> = {}) {
  const refs = { api: '', stage: '', certificate: '', domain: '', endpoint: '' };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    const api = new PetHttpApi(scope, 'HttpApi', { ...httpApiProps(scope, deps), ...props });
    refs.api = ref(api.resource, 'id');
    refs.stage = ref(api.stage, 'id');
    refs.endpoint = api.endpoint;
    if (api.customDomain) {
      refs.certificate = ref(api.customDomain.certificate, 'arn');
      refs.domain = ref(api.customDomain.resource, 'id');
    }
  });
  return { synthesized, refs };
}

describe('PetHttpApi with a custom domain', () => {
  const { synthesized, refs } = synthApi({ customDomain: DOMAIN });
  const certificateAddress = refs.certificate.slice(2, -5);

  test('without one, the API answers at its execute-api address and nothing else is made', () => {
    const plain = synthApi();
    expect(onlyResource(plain.synthesized, 'aws_apigatewayv2_api')).not.toHaveProperty(
      'disable_execute_api_endpoint',
    );
    expect(plain.synthesized).not.toHaveResource(AcmCertificate);
    expect(plain.synthesized).not.toHaveResource(Apigatewayv2DomainName);
  });

  test('the certificate is for the domain and validated by DNS', () => {
    expect(onlyResource(synthesized, 'aws_acm_certificate')).toMatchObject({
      domain_name: 'api.example.com',
      validation_method: 'DNS',
      lifecycle: { create_before_destroy: true },
    });
  });

  test("ACM's validation record goes in the given zone, and the validation waits for that record", () => {
    const records = resourcesOf(synthesized, 'aws_route53_record');
    const validationRecord = records.find((record) => record.records !== undefined);
    const option = `tolist(${certificateAddress}.domain_validation_options).0`;
    expect(validationRecord).toEqual({
      zone_id: ZONE,
      name: `\${${option}.resource_record_name}`,
      type: `\${${option}.resource_record_type}`,
      records: [`\${${option}.resource_record_value}`],
      ttl: 300,
      allow_overwrite: true,
    });
    const [recordAddress] = Object.entries(JSON.parse(synthesized).resource.aws_route53_record).find(
      ([, body]) => (body as { records?: unknown }).records !== undefined,
    ) as [string, unknown];
    expect(onlyResource(synthesized, 'aws_acm_certificate_validation')).toEqual({
      certificate_arn: refs.certificate,
      validation_record_fqdns: [`\${aws_route53_record.${recordAddress}.fqdn}`],
    });
  });

  test('the domain name is regional, TLS 1.2 at least, with the certificate once it is issued', () => {
    const validationAddress = Object.keys(JSON.parse(synthesized).resource.aws_acm_certificate_validation)[0];
    expect(onlyResource(synthesized, 'aws_apigatewayv2_domain_name')).toEqual({
      domain_name: 'api.example.com',
      domain_name_configuration: {
        // The validation's ARN, not the certificate's: API Gateway refuses a certificate not yet issued.
        certificate_arn: `\${aws_acm_certificate_validation.${validationAddress}.certificate_arn}`,
        endpoint_type: 'REGIONAL',
        security_policy: 'TLS_1_2',
        ip_address_type: 'dualstack',
      },
    });
  });

  test('maps the $default stage of this API at the root of the domain', () => {
    expect(onlyResource(synthesized, 'aws_apigatewayv2_api_mapping')).toEqual({
      api_id: refs.api,
      domain_name: refs.domain,
      stage: refs.stage,
    });
  });

  test("A and AAAA aliases in the zone point at the domain name's regional target", () => {
    const domainAddress = refs.domain.slice(2, -4);
    const aliases = resourcesOf(synthesized, 'aws_route53_record').filter((record) => record.alias);
    expect(aliases.map((record) => record.type).sort()).toEqual(['A', 'AAAA']);
    for (const alias of aliases) {
      expect(alias).toMatchObject({
        zone_id: ZONE,
        name: 'api.example.com',
        alias: {
          name: `\${${domainAddress}.domain_name_configuration[0].target_domain_name}`,
          zone_id: `\${${domainAddress}.domain_name_configuration[0].hosted_zone_id}`,
          evaluate_target_health: false,
        },
      });
    }
  });

  test('the execute-api address is off, so the domain is the only way in, and the endpoint is the domain', () => {
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2Api, { disable_execute_api_endpoint: true });
    expect(refs.endpoint).toBe('https://api.example.com');
  });

  test.each([
    ['https://api.example.com', 'customDomain.domainName'],
    ['api.example.com.', 'customDomain.domainName'],
    ['API.example.com', 'customDomain.domainName'],
    ['*.example.com', 'customDomain.domainName'],
    ['localhost', 'customDomain.domainName'],
    ['api.example.com/pets', 'customDomain.domainName'],
    ['-api.example.com', 'customDomain.domainName'],
  ])('a domain that is not a host name fails synth: %s', (domainName, field) => {
    expect(() => synthApi({ customDomain: { domainName, hostedZoneId: ZONE } })).toThrow(
      `\`${field}\` is '${domainName}'; expected a lowercase host name such as api.example.com`,
    );
  });

  test.each(['', '/hostedzone/Z0123456789ABCDEFGHIJ', 'z0123', 'example.com'])(
    'a zone that is not a Route 53 zone id fails synth: %j',
    (hostedZoneId) => {
      expect(() => synthApi({ customDomain: { domainName: 'api.example.com', hostedZoneId } })).toThrow(
        `\`customDomain.hostedZoneId\` is '${hostedZoneId}'; expected the id of the Route 53 hosted zone that holds the domain`,
      );
    },
  );

  test('a domain without its zone fails synth', () => {
    expect(() =>
      synthApi({ customDomain: { domainName: 'api.example.com' } as PetHttpApiProps['customDomain'] }),
    ).toThrow('`customDomain.hostedZoneId` is undefined; expected the id of the Route 53 hosted zone');
  });
});
