/**
 * Prints the synthesized stacks in dependency order (cdktf.out/manifest.json), one a line, for the
 * workflows' plan/apply loops. `--target <stack>`: only that stack and what it depends on.
 * `--with-dirs`: each line is `<stack>\t<terraform working directory>`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MANIFEST, readManifest } from '../cli-support';
import { stackDirectory, stacksInDependencyOrder } from '../manifest';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: DEFAULT_MANIFEST },
    target: { type: 'string' },
    'with-dirs': { type: 'boolean', default: false },
  },
});

const manifest = readManifest(values.manifest);
for (const stack of stacksInDependencyOrder(manifest, values.target)) {
  console.log(values['with-dirs'] ? `${stack}\t${stackDirectory(manifest, values.manifest, stack)}` : stack);
}
