import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { grant } from './iam';
import { requireIntegerInRange } from './validation';

export interface ImageRepositoryProps {
  /** Repository name, e.g. `petstore-dev/pet-service`. */
  readonly repositoryName: string;
  /** How many tagged images to keep; older ones expire. @default 30 */
  readonly keepImages?: number;
}

/** ECR repository for the pet service image, scanned on push, with immutable tags. */
export class ImageRepository extends Construct {
  public readonly resource: EcrRepository;
  public readonly repositoryUrl: string;
  public readonly repositoryName: string;
  /** What the service's execution role may pull from. */
  public readonly repositoryArn: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    requireIntegerInRange('keepImages', keepImages, 1, 1000);

    this.resource = new EcrRepository(this, 'Repository', {
      name: props.repositoryName,
      // Every tag is immutable: a deployed tag (a commit SHA) always means the same bytes. Also the one
      // setting both provider lines accept (5.x rejects IMMUTABLE_WITH_EXCLUSION and its filter).
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
    });
    this.repositoryUrl = this.resource.repositoryUrl;
    this.repositoryName = this.resource.name;
    this.repositoryArn = this.resource.arn;

    new EcrLifecyclePolicy(this, 'LifecyclePolicy', {
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

  /** Lets `role` pull this repository's images (and log in to ECR, which has no resource to scope). */
  grantPull(role: IamRole): IamRolePolicy {
    return grant(role, 'ImagePull', 'pull-image', [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: this.repositoryArn,
      },
    ]);
  }
}
