import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';

/**
 * What a Fargate task of the pet service calls beyond DynamoDB and S3 (gateway endpoints): ECR's API
 * (image manifests, the pull token) and registry, and CloudWatch Logs (the awslogs driver). The service
 * itself calls DynamoDB only (app/), and its credentials come from the task's own endpoint
 * (169.254.170.2), not STS.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs'] as const;

export interface InterfaceEndpointsProps {
  /** Prefix for names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  /** Region of the VPC: the endpoints' service names. */
  readonly region: string;
  readonly vpcId: string;
  /** One endpoint network interface in each: the private subnets. */
  readonly subnetIds: readonly string[];
}

/**
 * Interface endpoints with private DNS in the private subnets: the AWS API names resolve to addresses in
 * the VPC, so the tasks reach ECR and CloudWatch Logs with no route out of it. Their security group
 * admits nothing until a client's group is let in (`ServiceSecurityGroups` lets the tasks in on 443).
 */
export class InterfaceEndpoints extends Construct {
  /** The endpoints' network interfaces' group. */
  public readonly securityGroup: SecurityGroup;
  /** One per service of INTERFACE_ENDPOINT_SERVICES. */
  public readonly endpoints: VpcEndpoint[];

  constructor(scope: Construct, id: string, props: InterfaceEndpointsProps) {
    super(scope, id);
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      // Generated, like the service's groups: a replacement created first cannot clash on the name.
      namePrefix: `${props.namePrefix}-endpoints-`,
      description: 'Interface endpoints: HTTPS from the pet service tasks only',
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-endpoints` },
    });
    this.endpoints = INTERFACE_ENDPOINT_SERVICES.map(
      (service) =>
        new VpcEndpoint(this, endpointId(service), {
          vpcId: props.vpcId,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: 'Interface',
          // The SDKs and the ECS agent call the public names; private DNS answers them inside the VPC.
          privateDnsEnabled: true,
          subnetIds: [...props.subnetIds],
          securityGroupIds: [this.securityGroup.id],
          tags: { Name: `${props.namePrefix}-${service.replace('.', '-')}` },
        }),
    );
  }
}

/** `ecr.api` → `EcrApi`, `logs` → `Logs`: a stable id per service. */
function endpointId(service: string): string {
  return service
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
