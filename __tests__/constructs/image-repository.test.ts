import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { ImageRepository } from '../../constructs/image-repository';
import { onlyResource, synthScope } from './support';

describe('ImageRepository', () => {
  const synthesized = synthScope(
    (scope) => new ImageRepository(scope, 'Images', { repositoryName: 'test/pet-service' }),
  );

  test('scans on push and keeps every tag immutable', () => {
    expect(synthesized).toHaveResourceWithProperties(EcrRepository, {
      name: 'test/pet-service',
      image_scanning_configuration: { scan_on_push: true },
      image_tag_mutability: 'IMMUTABLE',
    });
    expect(onlyResource(synthesized, 'aws_ecr_repository')).not.toHaveProperty(
      'image_tag_mutability_exclusion_filter',
    );
  });

  test('a lifecycle policy expires untagged images and all but the newest 30', () => {
    const policy = JSON.parse(onlyResource(synthesized, 'aws_ecr_lifecycle_policy').policy);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed' }),
      }),
      expect.objectContaining({
        selection: expect.objectContaining({ countType: 'imageCountMoreThan', countNumber: 30 }),
      }),
    ]);
  });

  test('rejects a keep count of 0', () => {
    expect(() =>
      synthScope((scope) => new ImageRepository(scope, 'Images', { repositoryName: 'x', keepImages: 0 })),
    ).toThrow('`keepImages` is 0; expected an integer from 1 to 1000.');
  });
});
