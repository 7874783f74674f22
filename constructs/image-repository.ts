import { DataAwsEcrImage } from '@cdktf/provider-aws/lib/data-aws-ecr-image';
import { DataAwsEcrRepository } from '@cdktf/provider-aws/lib/data-aws-ecr-repository';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn, type TerraformProvider, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { stackName } from './config';
import { grant, type IamStatement } from './iam';
import { requireIntegerInRange } from './validation';

/** An environment's image repository, `petstore-<environment>/pet-service`: the one name both stacks use. */
export function imageRepositoryName(environment: string): string {
  return `${stackName({ name: environment })}/pet-service`;
}

/** `docker login` to ECR is an account-level call with no resource to scope. */
const ECR_LOGIN: IamStatement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };

export interface ImageRepositoryProps {
  /** Repository name, e.g. `petstore-dev/pet-service` (`imageRepositoryName`). */
  readonly repositoryName: string;
  /** How many tagged images to keep; older ones expire. @default 30 */
  readonly keepImages?: number;
  /** The provider of the repository's region, where it is not the stack's default. @default - the stack's */
  readonly provider?: TerraformProvider;
}

/**
 * ECR repository for the pet service image, scanned on push, with immutable tags. It lives in the
 * bootstrap stack, so it exists before the environment's first deploy, as the AWS CDK bootstrap holds
 * its asset repository; the environment's stack finds it by name (`ServiceImage`).
 */
export class ImageRepository extends Construct {
  public readonly resource: EcrRepository;
  public readonly repositoryUrl: string;
  public readonly repositoryArn: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    requireIntegerInRange('keepImages', keepImages, 1, 1000);

    this.resource = new EcrRepository(this, 'Repository', {
      provider: props.provider,
      name: props.repositoryName,
      // Every tag is immutable: a deployed tag (a commit SHA) always means the same bytes. Also the one
      // setting both provider lines accept (5.x rejects IMMUTABLE_WITH_EXCLUSION and its filter).
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
    });
    this.repositoryUrl = this.resource.repositoryUrl;
    this.repositoryArn = this.resource.arn;

    new EcrLifecyclePolicy(this, 'LifecyclePolicy', {
      provider: props.provider,
      repository: this.resource.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: 'Expire untagged images (superseded layers of failed pushes) after a day',
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: 1,
            },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            description: `Keep the ${keepImages} most recent images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
            action: { type: 'expire' },
          },
        ],
      }),
    });
  }

  /** Lets `role` push images here, and find the repository and its tags (as the deploy's plan reads them). */
  grantPush(role: IamRole): IamRolePolicy {
    return grant(role, 'ImagePush', 'push-image', [
      ECR_LOGIN,
      {
        Effect: 'Allow',
        Action: [
          'ecr:DescribeRepositories',
          'ecr:DescribeImages',
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
        ],
        Resource: this.repositoryArn,
      },
    ]);
  }
}

export interface ServiceImageProps {
  /** The repository the bootstrap stack made, e.g. `petstore-dev/pet-service`. */
  readonly repositoryName: string;
  /** The tag to run (the commit SHA in CI); it must be in the repository. */
  readonly imageTag: string;
}

/**
 * The image an environment runs: a tag in its repository, read from the registry at plan time, so that a
 * plan (and so every deploy) of a tag nobody pushed fails in Terraform itself, before anything changes.
 * A pull request's plan comes before its image exists: it sets `TF_VAR_require_pushed_image=false`.
 */
export class ServiceImage extends Construct {
  /** `<registry>/petstore-dev/pet-service:<tag>`. */
  public readonly imageUri: string;
  public readonly repository: DataAwsEcrRepository;
  /** The tag as the registry holds it: reading it fails the plan when the tag was never pushed. */
  public readonly registryImage: DataAwsEcrImage;

  constructor(scope: Construct, id: string, props: ServiceImageProps) {
    super(scope, id);
    this.repository = new DataAwsEcrRepository(this, 'Repository', { name: props.repositoryName });
    const required = new TerraformVariable(this, 'require_pushed_image', {
      type: 'bool',
      default: true,
      description: 'Fail the plan when the image tag is not in the repository (false: a pull request plan)',
    });
    required.overrideLogicalId('require_pushed_image');
    this.registryImage = new DataAwsEcrImage(this, 'Image', {
      count: Token.asNumber(Fn.conditional(required.booleanValue, 1, 0)),
      repositoryName: this.repository.name,
      imageTag: props.imageTag,
    });
    this.imageUri = `${this.repository.repositoryUrl}:${props.imageTag}`;
  }

  /** Lets `role` pull this repository's images. */
  grantPull(role: IamRole): IamRolePolicy {
    return grant(role, 'ImagePull', 'pull-image', [
      ECR_LOGIN,
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: this.repository.arn,
      },
    ]);
  }
}
