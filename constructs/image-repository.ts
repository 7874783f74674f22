import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { requireIntegerInRange } from './validation';

/** The one tag that may move to another image; every other tag (a commit SHA) is immutable. */
export const MUTABLE_IMAGE_TAG = 'latest';

export interface ImageRepositoryProps {
  /** Repository name, e.g. `petstore-dev/pet-service`. */
  readonly repositoryName: string;
  /** How many tagged images to keep; older ones expire. @default 30 */
  readonly keepImages?: number;
}

/**
 * ECR repository for the pet service image. Commit-SHA tags are immutable so a deployed tag always
 * means the same bytes; only `latest` may move, for people pushing from a laptop.
 */
export class ImageRepository extends Construct {
  public readonly resource: EcrRepository;
  public readonly repositoryUrl: string;
  public readonly repositoryName: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    requireIntegerInRange('keepImages', keepImages, 1, 1000);

    this.resource = new EcrRepository(this, 'Repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilter: [{ filter: MUTABLE_IMAGE_TAG, filterType: 'WILDCARD' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
    });
    this.repositoryUrl = this.resource.repositoryUrl;
    this.repositoryName = this.resource.name;

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
}
