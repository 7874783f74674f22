import type { DeployPermission, Scope } from './context';

/**
 * The ECS cluster, service and task definitions, and autoscaling. The image repository is the bootstrap
 * stack's, which grants each deploy role the push (and the reads its plan makes) on its own repository.
 */
export function computePermissions(scope: Scope): DeployPermission[] {
  const { arn, prefix, inRegion, autoscaling, taggedForEnvironment, creatingForEnvironment, retaggingOwn } =
    scope;
  const { capacityProviders } = scope;
  const permissions: (DeployPermission | false)[] = [
    {
      policy: 'compute',
      neededBy: ['aws_ecs_cluster', 'aws_ecs_service', 'aws_ecs_task_definition'],
      statement: {
        Sid: 'EcsClusterAndService',
        Effect: 'Allow',
        Action: [
          'ecs:CreateCluster',
          'ecs:DeleteCluster',
          'ecs:DescribeClusters',
          'ecs:UpdateCluster',
          'ecs:UpdateClusterSettings',
          'ecs:CreateService',
          'ecs:UpdateService',
          'ecs:DeleteService',
          'ecs:DescribeServices',
          'ecs:TagResource',
          'ecs:UntagResource',
          'ecs:ListTagsForResource',
        ],
        Resource: [
          arn('ecs', `cluster/${prefix}`),
          arn('ecs', `service/${prefix}/*`),
          arn('ecs', `task-definition/${prefix}-*:*`),
        ],
      },
    },
    capacityProviders && {
      policy: 'compute',
      neededBy: ['aws_ecs_cluster_capacity_providers'],
      // Fargate and Fargate Spot on this environment's cluster (and none, when the resource goes).
      statement: {
        Sid: 'EcsClusterCapacityProviders',
        Effect: 'Allow',
        Action: ['ecs:PutClusterCapacityProviders'],
        Resource: arn('ecs', `cluster/${prefix}`),
      },
    },
    {
      policy: 'compute',
      neededBy: ['aws_ecs_task_definition'],
      // ECS has no resource scope for registering a revision: the request must carry the environment's
      // tags. No DeregisterTaskDefinition: old revisions are kept (skip_destroy) for rollbacks.
      statement: {
        Sid: 'EcsRegisterTaskDefinition',
        Effect: 'Allow',
        Action: ['ecs:RegisterTaskDefinition'],
        Resource: '*',
        Condition: creatingForEnvironment,
      },
    },
    {
      policy: 'compute',
      neededBy: ['aws_ecs_task_definition'],
      // A read with no resource scope.
      statement: {
        Sid: 'EcsDescribeTaskDefinition',
        Effect: 'Allow',
        Action: ['ecs:DescribeTaskDefinition'],
        Resource: '*',
        Condition: inRegion,
      },
    },
    autoscaling && {
      policy: 'compute',
      neededBy: ['aws_appautoscaling_target'],
      // Scalable targets have random ids: a new one must carry the environment's tags.
      statement: {
        Sid: 'NewScalableTarget',
        Effect: 'Allow',
        Action: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:TagResource'],
        Resource: arn('application-autoscaling', 'scalable-target/*'),
        Condition: creatingForEnvironment,
      },
    },
    autoscaling && {
      policy: 'compute',
      neededBy: ['aws_appautoscaling_target', 'aws_appautoscaling_policy'],
      statement: {
        Sid: 'ServiceAutoscaling',
        Effect: 'Allow',
        Action: [
          'application-autoscaling:RegisterScalableTarget',
          'application-autoscaling:DeregisterScalableTarget',
          'application-autoscaling:PutScalingPolicy',
          'application-autoscaling:DeleteScalingPolicy',
        ],
        Resource: arn('application-autoscaling', 'scalable-target/*'),
        Condition: taggedForEnvironment,
      },
    },
    autoscaling && {
      policy: 'compute',
      neededBy: ['aws_appautoscaling_target'],
      statement: {
        Sid: 'RetagScalableTarget',
        Effect: 'Allow',
        Action: ['application-autoscaling:TagResource', 'application-autoscaling:UntagResource'],
        Resource: arn('application-autoscaling', 'scalable-target/*'),
        Condition: retaggingOwn,
      },
    },
    autoscaling && {
      policy: 'compute',
      neededBy: ['aws_appautoscaling_target', 'aws_appautoscaling_policy'],
      // Reads with no resource scope.
      statement: {
        Sid: 'AutoscalingReads',
        Effect: 'Allow',
        Action: [
          'application-autoscaling:DescribeScalableTargets',
          'application-autoscaling:DescribeScalingPolicies',
          'application-autoscaling:ListTagsForResource',
        ],
        Resource: '*',
        Condition: inRegion,
      },
    },
  ];
  return permissions.filter((permission): permission is DeployPermission => permission !== false);
}
