import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Annotations, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { type BootstrapConfig, type EnvironmentConfig, petsTableName } from './config';
import { ConfigRecorder } from './config-recorder';
import { DeployRole } from './deploy-role';
import { GithubOidcProvider, UNSET_GITHUB_OWNER, validateGithubRepository } from './github-oidc';
import { ImageRepository, imageRepositoryName } from './image-repository';
import { PlanRole } from './plan-role';
import { type RemoteStateSettings, useRemoteState } from './state-backend';
import { StateBucket } from './state-bucket';
import { invalid, requireMatch } from './validation';

/** The stack's name, `petstore-bootstrap`. */
export const BOOTSTRAP_STACK_NAME = 'petstore-bootstrap';

export interface PetStoreBootstrapStackProps {
  readonly bootstrap: BootstrapConfig;
  /** Every configured environment; `bootstrap.environments` picks those that get a deploy role. */
  readonly environments: readonly EnvironmentConfig[];
  /** Keep this stack's own state in S3, once the bucket it creates exists. @default - a local state file */
  readonly remoteState?: RemoteStateSettings;
}

/**
 * What an account needs once, before any environment deploys, applied by hand with admin credentials:
 * the state bucket, GitHub's OIDC provider, the pull requests' read-only plan role, one deploy role per
 * environment, and each environment's image repository (in the environment's region), so that an image
 * can be pushed before the environment's first deploy. The environment stacks find their repository by
 * name; nothing else of this stack is theirs.
 */
export class PetStoreBootstrapStack extends TerraformStack {
  public readonly stateBucket: StateBucket;
  public readonly oidc: GithubOidcProvider;
  public readonly planRole: PlanRole;
  public readonly deployRoles: Record<string, DeployRole>;
  /** Each environment's image repository, by environment name. */
  public readonly imageRepositories: Record<string, ImageRepository>;
  /** AWS Config, where `bootstrap.awsConfig.enabled` is on. */
  public readonly configRecorder?: ConfigRecorder;

  constructor(scope: Construct, id: string, props: PetStoreBootstrapStackProps) {
    super(scope, id);
    const { bootstrap } = props;
    validateGithubRepository('bootstrap.github', bootstrap.github);
    if (bootstrap.github.owner === UNSET_GITHUB_OWNER) {
      Annotations.of(this).addWarning(
        'bootstrap.github.owner (environments.ts) is not set: until it names your GitHub user or organization, no workflow can assume the plan or deploy roles.',
      );
    }
    if (bootstrap.stateBucket !== undefined) {
      requireMatch(
        'bootstrap.stateBucket',
        bootstrap.stateBucket,
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'an S3 bucket name: 3-63 lowercase letters, digits, . and -',
      );
    }
    const known = props.environments.map((environment) => environment.name);
    const deployed = bootstrap.environments.map((name, index) => {
      const environment = props.environments.find((candidate) => candidate.name === name);
      if (!environment)
        throw invalid(`bootstrap.environments[${index}]`, name, `expected one of ${known.join(', ')}`);
      return environment;
    });

    if (props.remoteState) useRemoteState(this, id, bootstrap.region, props.remoteState);
    const defaultTags = [{ tags: { Project: 'petstore', Environment: 'bootstrap', ManagedBy: 'cdktf' } }];
    new AwsProvider(this, 'Aws', { region: bootstrap.region, defaultTags });
    // A repository lives in its environment's region (pulls stay in-region); one provider per other region.
    const regionalProviders = new Map<string, AwsProvider>();
    const providerFor = (region: string) => {
      if (region === bootstrap.region) return undefined;
      let provider = regionalProviders.get(region);
      if (!provider) {
        provider = new AwsProvider(this, `Aws-${region}`, { region, alias: region, defaultTags });
        regionalProviders.set(region, provider);
      }
      return provider;
    };
    const partition = new DataAwsPartition(this, 'Partition').partition;
    const accountId = new DataAwsCallerIdentity(this, 'Account').accountId;

    this.stateBucket = new StateBucket(this, 'StateBucket', {
      // Bucket names are global: the account id makes the default one unique.
      bucketName: bootstrap.stateBucket ?? `petstore-terraform-state-${accountId}-${bootstrap.region}`,
    });
    this.oidc = new GithubOidcProvider(this, 'GithubOidc');
    this.planRole = new PlanRole(this, 'PlanRole', {
      oidc: this.oidc,
      repository: bootstrap.github,
      stateBucket: this.stateBucket,
      partition,
    });
    this.deployRoles = Object.fromEntries(
      deployed.map((environment) => [
        environment.name,
        new DeployRole(
          this,
          `DeployRole${environment.name.charAt(0).toUpperCase()}${environment.name.slice(1)}`,
          {
            oidc: this.oidc,
            repository: bootstrap.github,
            stateBucket: this.stateBucket,
            environment,
            partition,
            accountId,
          },
        ),
      ]),
    );
    // Config is regional: the rules check the environments in the bootstrap region.
    this.configRecorder = bootstrap.awsConfig?.enabled
      ? new ConfigRecorder(this, 'AwsConfig', {
          region: bootstrap.region,
          accountId,
          partition,
          pointInTimeRecoveryTables: props.environments
            .filter((environment) => environment.region === bootstrap.region)
            .map(petsTableName),
        })
      : undefined;

    this.imageRepositories = Object.fromEntries(
      props.environments.map((environment) => [
        environment.name,
        new ImageRepository(this, `ImageRepository-${environment.name}`, {
          repositoryName: imageRepositoryName(environment.name),
          provider: providerFor(environment.region),
        }),
      ]),
    );
    for (const [name, role] of Object.entries(this.deployRoles)) {
      this.imageRepositories[name]?.grantPush(role.resource);
    }

    new TerraformOutput(this, 'state_bucket', {
      value: this.stateBucket.bucketName,
      description: 'Set TF_STATE_BUCKET (and the repository variable) to this',
    });
    new TerraformOutput(this, 'state_bucket_region', {
      value: bootstrap.region,
      description: 'Set TF_STATE_REGION to this where it differs from a stack region',
    });
    new TerraformOutput(this, 'oidc_provider_arn', {
      value: this.oidc.arn,
      description: 'GitHub Actions OIDC provider',
    });
    new TerraformOutput(this, 'plan_role_arn', {
      value: this.planRole.roleArn,
      description: 'Repository variable AWS_PLAN_ROLE_ARN',
    });
    new TerraformOutput(this, 'deploy_role_arns', {
      value: Object.fromEntries(Object.entries(this.deployRoles).map(([name, role]) => [name, role.roleArn])),
      description: "Each GitHub environment's variable AWS_DEPLOY_ROLE_ARN",
    });
    new TerraformOutput(this, 'image_repository_urls', {
      value: Object.fromEntries(
        Object.entries(this.imageRepositories).map(([name, repository]) => [name, repository.repositoryUrl]),
      ),
      description: "Each environment's image repository: push the service image there before deploying",
    });
  }
}
