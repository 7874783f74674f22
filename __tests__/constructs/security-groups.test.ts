import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Network } from '../../constructs/network';
import { ServiceSecurityGroups } from '../../constructs/security-groups';
import { REGION, ref, resourcesOf, synthScope, ZONE_IDS } from './support';

describe('ServiceSecurityGroups', () => {
  let tasksRef = '';
  let vpcLinkRef = '';
  const synthesized = synthScope((scope) => {
    const network = new Network(scope, 'Network', {
      namePrefix: 'test',
      region: REGION,
      availabilityZoneIds: ZONE_IDS,
    });
    const groups = new ServiceSecurityGroups(scope, 'SecurityGroups', {
      network,
      namePrefix: 'test',
      containerPort: 8080,
    });
    tasksRef = ref(groups.tasks, 'id');
    vpcLinkRef = ref(groups.vpcLink, 'id');
  });

  test('the tasks admit only the VPC link, only on the container port', () => {
    const ingress = resourcesOf(synthesized, 'aws_vpc_security_group_ingress_rule');
    expect(ingress).toEqual([
      expect.objectContaining({
        security_group_id: tasksRef,
        referenced_security_group_id: vpcLinkRef,
        ip_protocol: 'tcp',
        from_port: 8080,
        to_port: 8080,
      }),
    ]);
  });

  test('nothing admits 0.0.0.0/0 and no group has inline rules', () => {
    expect(synthesized).not.toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      cidr_ipv4: '0.0.0.0/0',
    });
    const groups = resourcesOf(synthesized, 'aws_security_group');
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
  });

  test('the groups take generated names, so a create-before-destroy replacement cannot clash on the name', () => {
    // The VPC link is create-before-destroy, and Terraform spreads that to its security group.
    const names = resourcesOf(synthesized, 'aws_security_group').map((group) => ({
      name: group.name,
      prefix: group.name_prefix,
      tag: group.tags.Name,
    }));
    expect(names).toEqual([
      { name: undefined, prefix: 'test-tasks-', tag: 'test-tasks' },
      { name: undefined, prefix: 'test-vpc-link-', tag: 'test-vpc-link' },
    ]);
  });

  test('the VPC link may send only to the tasks; the tasks may send only HTTPS', () => {
    const egress = resourcesOf(synthesized, 'aws_vpc_security_group_egress_rule');
    expect(egress).toHaveLength(2);
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          security_group_id: vpcLinkRef,
          referenced_security_group_id: tasksRef,
          from_port: 8080,
          to_port: 8080,
        }),
        expect.objectContaining({
          security_group_id: tasksRef,
          cidr_ipv4: '0.0.0.0/0',
          from_port: 443,
          to_port: 443,
        }),
      ]),
    );
  });

  test('follows a custom container port', () => {
    const custom = synthScope((scope) => {
      const network = new Network(scope, 'Network', {
        namePrefix: 'test',
        region: REGION,
        availabilityZoneIds: ZONE_IDS,
      });
      new ServiceSecurityGroups(scope, 'SecurityGroups', {
        network,
        namePrefix: 'test',
        containerPort: 3000,
      });
    });
    expect(custom).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 3000,
      to_port: 3000,
    });
  });
});
