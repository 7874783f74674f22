import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Construct } from 'constructs';
import { requireMatch } from './validation';

/** A host name of lowercase labels (letters, digits, inner hyphens) with at least one dot; no wildcard. */
const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A Route 53 hosted zone id as the console shows it, without the `/hostedzone/` prefix. */
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;

/** Where the API answers instead of its execute-api address. */
export interface CustomDomain {
  /** The API's host name, e.g. `api.example.com`. */
  readonly domainName: string;
  /**
   * The Route 53 public hosted zone that holds `domainName` (its id, e.g. `Z0123456789ABCDEFGHIJ`): the
   * certificate's validation record and the domain's alias records are written there.
   */
  readonly hostedZoneId: string;
}

export interface ApiCustomDomainProps extends CustomDomain {
  /** The HTTP API mapped to the domain. */
  readonly apiId: string;
  /** The stage mapped at the domain's root: `$default`, by its id. */
  readonly stage: string;
}

/**
 * A custom domain for the HTTP API: an ACM certificate validated by DNS in the given zone, a regional
 * API Gateway domain name (TLS 1.2 at least) mapped to the stage, and alias A and AAAA records to it.
 */
export class ApiCustomDomain extends Construct {
  /** The API Gateway domain name. */
  public readonly resource: Apigatewayv2DomainName;
  public readonly certificate: AcmCertificate;
  /** `https://<domainName>`: the API's base URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ApiCustomDomainProps) {
    super(scope, id);
    requireMatch(
      'customDomain.domainName',
      props.domainName,
      HOSTNAME,
      'a lowercase host name such as api.example.com (no scheme, path, trailing dot or wildcard)',
    );
    requireMatch(
      'customDomain.hostedZoneId',
      props.hostedZoneId,
      HOSTED_ZONE_ID,
      'the id of the Route 53 hosted zone that holds the domain, such as Z0123456789ABCDEFGHIJ',
    );

    this.certificate = new AcmCertificate(this, 'Certificate', {
      domainName: props.domainName,
      validationMethod: 'DNS',
      // A replacement certificate is issued before the domain lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, so one validation record: ACM's CNAME, which also renews the certificate automatically.
    const validation = this.certificate.domainValidationOptions.get(0);
    const validationRecord = new Route53Record(this, 'ValidationRecord', {
      zoneId: props.hostedZoneId,
      name: validation.resourceRecordName,
      type: validation.resourceRecordType,
      records: [validation.resourceRecordValue],
      ttl: 300,
      // The record is ACM's for this name, whoever wrote it first (a previous certificate of the domain).
      allowOverwrite: true,
    });
    // Waits until ACM has seen the record and issued the certificate.
    const issued = new AcmCertificateValidation(this, 'CertificateValidation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [validationRecord.fqdn],
    });

    this.resource = new Apigatewayv2DomainName(this, 'DomainName', {
      domainName: props.domainName,
      domainNameConfiguration: {
        certificateArn: issued.certificateArn,
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
        // IPv4 and IPv6, so that the AAAA record below has addresses to answer with.
        ipAddressType: 'dualstack',
      },
    });
    new Apigatewayv2ApiMapping(this, 'ApiMapping', {
      apiId: props.apiId,
      domainName: this.resource.id,
      stage: props.stage,
    });
    for (const type of ['A', 'AAAA']) {
      new Route53Record(this, `Alias${type}`, {
        zoneId: props.hostedZoneId,
        name: props.domainName,
        type,
        alias: {
          name: this.resource.domainNameConfiguration.targetDomainName,
          zoneId: this.resource.domainNameConfiguration.hostedZoneId,
          evaluateTargetHealth: false,
        },
      });
    }
    this.url = `https://${props.domainName}`;
  }
}
