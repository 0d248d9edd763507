/**
 * `--save-manifests DIR`: write what was read from the cluster so the same run can be replayed
 * offline. The directory is laid out as a golden fixture (fixtures/<case>/): `input.yaml`
 * holds every Service and EndpointSlice (and the Node, which the decoder ignores) as YAML
 * documents in the order the server listed them, and `flags.txt` the run's node settings
 * (from the Node object where no flag gave them).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ClusterError, UserError } from '../errors.js';
import type { ClusterSnapshot } from './cluster-read.js';
import { MANIFEST_SCHEMA } from './yaml.js';

export function saveManifests(dir: string, snapshot: ClusterSnapshot, source: string, flags: readonly string[]): void {
  const objects = [...snapshot.services, ...snapshot.endpointSlices, ...(snapshot.node ? [snapshot.node] : [])];
  const docs = objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 }));
  const input = `# Read from ${source} by kp-gen --from-cluster.\n${docs.map((d) => `---\n${d}`).join('')}`;
  const flagsText =
    (snapshot.node
      ? `# The node settings of this run: from the Node read from ${source}, unless given as flags.\n`
      : `# Read from ${source} without --node: no node settings.\n`) +
    '# Add the other flags of the run (e.g. --cluster-cidr) to replay it: kp-gen $(grep -v "^#" flags.txt) input.yaml\n' +
    `${flags.join(' ')}\n`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'input.yaml'), input);
    writeFileSync(join(dir, 'flags.txt'), flagsText);
  } catch (e) {
    throw new ClusterError(`--save-manifests ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/**
 * `--save-manifests DIR` for manifest files: `DIR/input.yaml` holds the objects as completed
 * (complete/stored.ts), sorted keys as `kubectl get -o yaml` prints them, one document each.
 * Written to a temporary file in DIR and renamed into place, so that an `input.yaml` that is a
 * symbolic link is replaced, not followed out of DIR.
 */
export function saveCompletedManifests(dir: string, objects: readonly unknown[], sources: readonly string[]): void {
  const docs = objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1, sortKeys: true, noArrayIndent: true, schema: MANIFEST_SCHEMA }));
  const header = `# The input of kp-gen ${sources.join(' ')}, completed as the control plane would (kp-gen --save-manifests).\n`;
  const text = `${header}${docs.map((d) => `---\n${d}`).join('')}`;
  const target = join(dir, 'input.yaml');
  const temp = join(dir, `.input.yaml.${process.pid}.tmp`);
  let created = false;
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, text, { flag: 'wx' });
    created = true;
    renameSync(temp, target);
  } catch (e) {
    if (created) rmSync(temp, { force: true });
    throw new UserError(`--save-manifests ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
