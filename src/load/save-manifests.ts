/**
 * `--save-manifests DIR`: write what was read from the cluster so the same run can be replayed
 * offline. The directory is laid out as a golden fixture (fixtures/<case>/): `input.yaml`
 * holds every Service and EndpointSlice (and the Node, which the decoder ignores) as YAML
 * documents in the order the server listed them, and `flags.txt` the run's node settings
 * (from the Node object where no flag gave them).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { systemErrorText, UserError } from '../errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../io.js';
import type { ClusterSnapshot } from './cluster-read.js';
import { MANIFEST_SCHEMA } from './yaml.js';

/**
 * Each file is written as `-o` writes (io.ts): atomically, never through a symbolic link or over
 * anything but a regular file, so a link planted in DIR cannot send the output elsewhere.
 */
export async function saveManifests(dir: string, snapshot: ClusterSnapshot, source: string, flags: readonly string[]): Promise<void> {
  const objects = [...snapshot.services, ...snapshot.endpointSlices, ...(snapshot.node ? [snapshot.node] : [])];
  const docs = objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1, schema: MANIFEST_SCHEMA }));
  const input = `# Read from ${source} by kp-gen --from-cluster.\n${docs.map((d) => `---\n${d}`).join('')}`;
  const flagsText =
    (snapshot.node
      ? `# The node settings of this run: from the Node read from ${source}, unless given as flags.\n`
      : `# Read from ${source} without --node: no node settings.\n`) +
    '# Add the other flags of the run (e.g. --cluster-cidr) to replay it: kp-gen $(grep -v "^#" flags.txt) input.yaml\n' +
    `${flags.join(' ')}\n`;
  makeDirectory(dir);
  await writeFileAtomic(join(dir, 'input.yaml'), input, '--save-manifests');
  await writeFileAtomic(join(dir, 'flags.txt'), flagsText, '--save-manifests');
}

/**
 * `--save-manifests DIR` for manifest files: `DIR/input.yaml` holds the objects as completed
 * (complete/stored.ts), sorted keys as `kubectl get -o yaml` prints them, one document each.
 * Written as `-o` writes (io.ts): atomically, never through a symbolic link.
 */
export function saveCompletedManifests(dir: string, objects: readonly unknown[], sources: readonly string[]): void {
  const docs = objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1, sortKeys: true, noArrayIndent: true, schema: MANIFEST_SCHEMA }));
  const header = `# The input of kp-gen ${sources.join(' ')}, completed as the control plane would (kp-gen --save-manifests).\n`;
  const text = `${header}${docs.map((d) => `---\n${d}`).join('')}`;
  makeDirectory(dir);
  writeFileAtomicSync(join(dir, 'input.yaml'), text, '--save-manifests');
}

/** DIR itself: made when missing; an existing file there is refused in words, not as EEXIST. */
function makeDirectory(dir: string): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`--save-manifests ${dir}: ${systemErrorText(e)}`);
  }
}
