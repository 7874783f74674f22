import { Testing } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from '../../constructs/bootstrap-stack';
import { type BootstrapConfig, stackName } from '../../constructs/config';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { PLAN_ROLE_DENIED_DATA_READS } from '../../constructs/plan-role';
import { BOOTSTRAP, ENVIRONMENTS } from '../../environments';
import { onlyResource, ref, resourcesOf, type TerraformBlock } from './support';

const CONFIG: BootstrapConfig = {
  region: 'us-east-1',
  github: { owner: 'acme', name: 'petstore' },
  environments: ['dev', 'prod'],
};

function synthBootstrap(bootstrap: BootstrapConfig = CONFIG) {
  const app = Testing.app();
  const stack = new PetStoreBootstrapStack(app, BOOTSTRAP_STACK_NAME, {
    bootstrap,
    environments: ENVIRONMENTS,
  });
  return { stack, synthesized: Testing.synth(stack) };
}

function roleNamed(synthesized: string, name: string): TerraformBlock {
  const roles = resourcesOf(synthesized, 'aws_iam_role').filter((role) => role.name === name);
  expect(roles).toHaveLength(1);
  return roles[0] as TerraformBlock;
}

describe('PetStoreBootstrapStack', () => {
  const { stack, synthesized } = synthBootstrap();
  const bucketArn = ref(stack.stateBucket.resource, 'arn');
  const bucketId = ref(stack.stateBucket.resource, 'id');

  test('the state bucket is versioned, KMS-encrypted and closed to the public', () => {
    const bucket = onlyResource(synthesized, 'aws_s3_bucket');
    expect(bucket.force_destroy).toBeUndefined();
    expect(bucket.bucket).toMatch(
      /^petstore-terraform-state-\$\{data\.aws_caller_identity\.\w+\.account_id\}-us-east-1$/,
    );
    expect(onlyResource(synthesized, 'aws_s3_bucket_versioning')).toEqual({
      bucket: bucketId,
      versioning_configuration: { status: 'Enabled' },
    });
    expect(onlyResource(synthesized, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true },
    ]);
    expect(onlyResource(synthesized, 'aws_s3_bucket_public_access_block')).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      ignore_public_acls: true,
      block_public_policy: true,
      restrict_public_buckets: true,
    });
  });

  test("each environment's image repository exists before the environment does, and only its deploy role may push to it", () => {
    expect(resourcesOf(synthesized, 'aws_ecr_repository').map((repository) => repository.name)).toEqual([
      'petstore-dev/pet-service',
      'petstore-prod/pet-service',
    ]);
    for (const name of ['dev', 'prod']) {
      const role = stack.deployRoles[name]?.resource;
      const repository = stack.imageRepositories[name]?.resource;
      if (!role || !repository) throw new Error(`no deploy role or repository for ${name}`);
      const push = resourcesOf(synthesized, 'aws_iam_role_policy').filter(
        (policy) => policy.role === ref(role, 'id'),
      );
      expect(push.map((policy) => policy.name)).toEqual(['push-image']);
      const statements = JSON.parse(push[0]?.policy as string).Statement;
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        expect.objectContaining({ Resource: ref(repository, 'arn') }),
      ]);
      expect(statements[1].Action).toContain('ecr:PutImage');
    }
    expect(JSON.parse(synthesized).output.image_repository_urls.value).toEqual({
      dev: ref(stack.imageRepositories.dev?.resource as never, 'repository_url'),
      prod: ref(stack.imageRepositories.prod?.resource as never, 'repository_url'),
    });
  });

  test("an environment in another region gets its repository there, through that region's provider", () => {
    const app = Testing.app();
    const west = { ...ENVIRONMENTS[0], name: 'west', region: 'eu-west-1' } as (typeof ENVIRONMENTS)[number];
    const other = new PetStoreBootstrapStack(app, BOOTSTRAP_STACK_NAME, {
      bootstrap: CONFIG,
      environments: [...ENVIRONMENTS, west],
    });
    const config = JSON.parse(Testing.synth(other));
    expect(config.provider.aws.map((provider: TerraformBlock) => [provider.region, provider.alias])).toEqual([
      ['us-east-1', undefined],
      ['eu-west-1', 'eu-west-1'],
    ]);
    const westRepository = resourcesOf(Testing.synth(other), 'aws_ecr_repository').find(
      (repository) => repository.name === 'petstore-west/pet-service',
    );
    expect(westRepository?.provider).toBe('aws.eu-west-1');
  });

  test('the state bucket refuses every request that is not over TLS', () => {
    const policy = JSON.parse(onlyResource(synthesized, 'aws_s3_bucket_policy').policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyPlainHttp',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  test("trusts GitHub Actions' OIDC tokens meant for STS", () => {
    expect(onlyResource(synthesized, 'aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  const trustOf = (name: string) => JSON.parse(roleNamed(synthesized, name).assume_role_policy).Statement;
  const federated = ref(stack.oidc.resource, 'arn');

  test("the plan role is trusted only for this repository's pull requests", () => {
    expect(trustOf('petstore-github-plan')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: federated },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/petstore:pull_request',
          },
        },
      },
    ]);
  });

  test('the plan role reads configuration and state, and is denied the reads that return data', () => {
    const planRole = ref(stack.planRole.resource, 'name');
    const attachments = resourcesOf(synthesized, 'aws_iam_role_policy_attachment').filter(
      (attachment) => attachment.role === planRole,
    );
    expect(attachments.map((attachment) => attachment.policy_arn)).toEqual([
      expect.stringMatching(
        /^arn:\$\{data\.aws_partition\.\w+\.partition\}:iam::aws:policy\/ReadOnlyAccess$/,
      ),
    ]);
    const [inline, ...others] = resourcesOf(synthesized, 'aws_iam_role_policy').filter(
      (policy) => policy.role === ref(stack.planRole.resource, 'id'),
    );
    expect(others).toEqual([]);
    const statements = JSON.parse(inline?.policy).Statement;
    expect(statements).toEqual([
      {
        Sid: 'ReadState',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetObject'],
        Resource: [bucketArn, `${bucketArn}/petstore/*`],
      },
      { Sid: 'DenyDataReads', Effect: 'Deny', Action: PLAN_ROLE_DENIED_DATA_READS, Resource: '*' },
      {
        Sid: 'DenyOtherObjects',
        Effect: 'Deny',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        NotResource: `${bucketArn}/petstore/*`,
      },
    ]);
    // What the README's hand-written setup denied, still denied.
    expect(PLAN_ROLE_DENIED_DATA_READS).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:GetParametersByPath',
      ]),
    );
    // Nothing that writes: the plan runs with -lock=false.
    for (const statement of statements.filter((each: TerraformBlock) => each.Effect === 'Allow'))
      for (const action of statement.Action) expect(action).toMatch(/^s3:(Get|List)/);
  });

  test('one deploy role per configured environment, each trusted only for its GitHub environment', () => {
    expect(Object.keys(stack.deployRoles)).toEqual(['dev', 'prod']);
    for (const environment of ['dev', 'prod']) {
      const [statement, ...others] = trustOf(`petstore-github-deploy-${environment}`);
      expect(others).toEqual([]);
      expect(statement.Principal).toEqual({ Federated: federated });
      expect(statement.Condition.StringEquals).toEqual({
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:acme/petstore:environment:${environment}`,
      });
    }
    expect(resourcesOf(synthesized, 'aws_iam_role')).toHaveLength(3);
  });

  test("each deploy role gets its environment's managed policies, within IAM's limits", () => {
    for (const environment of ['dev', 'prod']) {
      const role = stack.deployRoles[environment];
      const attached = resourcesOf(synthesized, 'aws_iam_role_policy_attachment').filter(
        (attachment) => attachment.role === ref(role?.resource as never, 'name'),
      );
      expect(attached).toHaveLength(7);
      const policies = resourcesOf(synthesized, 'aws_iam_policy').filter((policy) =>
        policy.name.startsWith(`petstore-github-deploy-${environment}-`),
      );
      expect(policies).toHaveLength(7);
      // Unresolved references are longer than the ids they become, so this errs on the safe side.
      for (const policy of policies) expect(policy.policy.length).toBeLessThanOrEqual(6144);
      const state = policies.find((policy) => policy.name.endsWith('-data'));
      expect(state?.policy).toContain(`${bucketArn}/petstore/petstore-${environment}/*`);
    }
  });

  test('outputs what the GitHub side of the setup needs', () => {
    const outputs = JSON.parse(synthesized).output;
    expect(Object.keys(outputs).sort()).toEqual([
      'deploy_role_arns',
      'image_repository_urls',
      'oidc_provider_arn',
      'plan_role_arn',
      'state_bucket',
      'state_bucket_region',
    ]);
    expect(Object.keys(outputs.deploy_role_arns.value)).toEqual(['dev', 'prod']);
  });

  test("the environment stacks' plans do not depend on it", () => {
    const app = Testing.app();
    new PetStoreBootstrapStack(app, BOOTSTRAP_STACK_NAME, { bootstrap: CONFIG, environments: ENVIRONMENTS });
    const environments = ENVIRONMENTS.map(
      (environment) => new PetStoreStack(app, stackName(environment), { environment, imageTag: 'abc123' }),
    );
    expect(environments).toHaveLength(2);
    for (const environmentStack of environments) {
      expect(environmentStack.dependencies).toEqual([]);
      const json = JSON.parse(Testing.synth(environmentStack));
      expect(json.data?.terraform_remote_state).toBeUndefined();
      expect(JSON.stringify(json)).not.toContain('petstore-github-');
    }
  });

  test('the configured bootstrap deploys every configured environment, and says while its owner is unset', () => {
    expect(BOOTSTRAP.environments).toEqual(ENVIRONMENTS.map((environment) => environment.name));
    const { stack: configured } = synthBootstrap(BOOTSTRAP);
    const warnings = configured.node.metadata.filter((entry) => entry.type === '@cdktf/warn');
    expect(warnings.map((entry) => entry.data)).toEqual([expect.stringContaining('bootstrap.github.owner')]);
    expect(synthBootstrap().stack.node.metadata.filter((entry) => entry.type === '@cdktf/warn')).toEqual([]);
  });

  test.each<[Partial<BootstrapConfig>, string]>([
    [
      { environments: ['dev', 'staging'] },
      "`bootstrap.environments[1]` is 'staging'; expected one of dev, prod.",
    ],
    [
      { github: { owner: 'acme corp', name: 'petstore' } },
      "`bootstrap.github.owner` is 'acme corp'; expected a GitHub user",
    ],
    [
      { github: { owner: 'acme', name: 'pet store' } },
      "`bootstrap.github.name` is 'pet store'; expected a GitHub repository name",
    ],
    [{ stateBucket: 'Acme_State' }, "`bootstrap.stateBucket` is 'Acme_State'; expected an S3 bucket name"],
  ])('rejects %o', (override, message) => {
    expect(() => synthBootstrap({ ...CONFIG, ...override })).toThrow(message);
  });
});
