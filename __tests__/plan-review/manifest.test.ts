import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { parseManifest } from '../../scripts/lib/cdktf-manifest';
import { stacksInDependencyOrder } from '../../scripts/plan-review/manifest';

/** The shape `cdktf synth` (0.21) writes to cdktf.out/manifest.json, trimmed to a few fields. */
function manifestJson(stacks: Record<string, string[]>): unknown {
  return {
    version: '0.21.0',
    stacks: Object.fromEntries(
      Object.entries(stacks).map(([name, dependencies]) => [
        name,
        {
          annotations: [],
          constructPath: name,
          dependencies,
          name,
          stackMetadataPath: `stacks/${name}/metadata.json`,
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          workingDirectory: `stacks/${name}`,
        },
      ]),
    ),
  };
}

describe('stacksInDependencyOrder', () => {
  it('puts every stack after the stacks it depends on, whatever the manifest order', () => {
    const manifest = parseManifest(
      manifestJson({
        'petstore-prod': ['petstore-shared', 'petstore-dev'],
        'petstore-dev': ['petstore-shared'],
        'petstore-shared': [],
      }),
    );
    expect(stacksInDependencyOrder(manifest)).toEqual(['petstore-shared', 'petstore-dev', 'petstore-prod']);
  });

  it('keeps manifest order among independent stacks', () => {
    const manifest = parseManifest(manifestJson({ 'petstore-dev': [], 'petstore-prod': [] }));
    expect(stacksInDependencyOrder(manifest)).toEqual(['petstore-dev', 'petstore-prod']);
  });

  it('with a target, returns only that stack and its transitive dependencies', () => {
    const manifest = parseManifest(
      manifestJson({
        network: [],
        shared: ['network'],
        'petstore-dev': ['shared'],
        'petstore-prod': ['shared'],
      }),
    );
    expect(stacksInDependencyOrder(manifest, 'petstore-prod')).toEqual([
      'network',
      'shared',
      'petstore-prod',
    ]);
  });

  it('rejects a dependency cycle, an unknown dependency and an unknown target', () => {
    expect(() => stacksInDependencyOrder(parseManifest(manifestJson({ a: ['b'], b: ['a'], c: [] })))).toThrow(
      'dependency cycle between stacks: a, b',
    );
    expect(() => stacksInDependencyOrder(parseManifest(manifestJson({ a: ['missing'] })))).toThrow(
      'stack "a" depends on "missing"',
    );
    expect(() => stacksInDependencyOrder(parseManifest(manifestJson({ a: [] })), 'b')).toThrow(
      'stack "b" is not in',
    );
  });
});

describe('parseManifest', () => {
  it('rejects a file that is not a cdktf manifest', () => {
    expect(() => parseManifest({ version: '0.21.0' })).toThrow('no "stacks" object');
    expect(() => parseManifest({ stacks: { a: { dependencies: [] } } })).toThrow(
      'stack "a" has no workingDirectory',
    );
  });
});

describe('with a manifest written by cdktf itself', () => {
  it('orders the stacks of a synthesized app by their declared dependencies', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'plan-review-manifest-'));
    const app = new App({ outdir });
    const prod = new TerraformStack(app, 'petstore-prod');
    const dev = new TerraformStack(app, 'petstore-dev');
    const shared = new TerraformStack(app, 'petstore-shared');
    prod.addDependency(dev);
    dev.addDependency(shared);
    app.synth();

    const manifestPath = path.join(outdir, 'manifest.json');
    const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
    expect(stacksInDependencyOrder(manifest)).toEqual(['petstore-shared', 'petstore-dev', 'petstore-prod']);
    expect(manifest.stacks['petstore-dev']?.workingDirectory).toBe('stacks/petstore-dev');
  });
});
