import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { Network } from './network';

export interface ServiceSecurityGroupsProps {
  /** The VPC the groups belong to, and its interface endpoints if it has them (the tasks are let in). */
  readonly network: Pick<Network, 'vpcId' | 'interfaceEndpoints'>;
  /** Prefix for the groups' names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  /** The port the tasks' container listens on: the service's `containerPort`, the only one the VPC link may reach. */
  readonly containerPort: number;
}

/**
 * The two security groups on the request path and the only rules between them: the API Gateway VPC
 * link may reach the tasks on the container port, and nothing else may. Where the VPC has interface
 * endpoints (no NAT), the tasks are the only ones their group lets in. Rules are separate resources
 * so each group can name the other without a dependency cycle; no inline rules are set, because inline
 * and separate rules fight on every apply (Terraform drops AWS's default allow-all egress on create).
 *
 * The groups take generated names (`name_prefix`): the VPC link is create-before-destroy, Terraform
 * spreads that to what the link depends on, and a replacement group created before the old one goes
 * would fail on a fixed name, which must be unique in the VPC.
 */
export class ServiceSecurityGroups extends Construct {
  /** Attached to the API Gateway VPC link's network interfaces. */
  public readonly vpcLink: SecurityGroup;
  /** Attached to the Fargate tasks. */
  public readonly tasks: SecurityGroup;

  constructor(scope: Construct, id: string, props: ServiceSecurityGroupsProps) {
    super(scope, id);
    const { containerPort } = props;
    const vpcId = props.network.vpcId;

    this.vpcLink = new SecurityGroup(this, 'VpcLink', {
      namePrefix: `${props.namePrefix}-vpc-link-`,
      description: 'API Gateway VPC link: may only reach the pet service tasks',
      vpcId,
      tags: { Name: `${props.namePrefix}-vpc-link` },
    });
    this.tasks = new SecurityGroup(this, 'Tasks', {
      namePrefix: `${props.namePrefix}-tasks-`,
      description: 'Pet service tasks: reachable only from the API Gateway VPC link',
      vpcId,
      tags: { Name: `${props.namePrefix}-tasks` },
    });

    new VpcSecurityGroupEgressRule(this, 'VpcLinkToTasks', {
      securityGroupId: this.vpcLink.id,
      referencedSecurityGroupId: this.tasks.id,
      ipProtocol: 'tcp',
      fromPort: containerPort,
      toPort: containerPort,
      description: 'Forward API requests to the tasks',
    });
    new VpcSecurityGroupIngressRule(this, 'TasksFromVpcLink', {
      securityGroupId: this.tasks.id,
      referencedSecurityGroupId: this.vpcLink.id,
      ipProtocol: 'tcp',
      fromPort: containerPort,
      toPort: containerPort,
      description: 'API requests from the VPC link only',
    });
    new VpcSecurityGroupEgressRule(this, 'TasksHttpsOut', {
      securityGroupId: this.tasks.id,
      // ECR and CloudWatch Logs over NAT or the interface endpoints, DynamoDB and S3 over their gateway
      // endpoints: all HTTPS. Where it can go is the route tables' say: without NAT, nowhere outside AWS.
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to AWS APIs',
    });
    const endpoints = props.network.interfaceEndpoints;
    if (endpoints) {
      new VpcSecurityGroupIngressRule(this, 'EndpointsFromTasks', {
        securityGroupId: endpoints.securityGroup.id,
        referencedSecurityGroupId: this.tasks.id,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'AWS API calls from the pet service tasks only',
      });
    }
  }
}
