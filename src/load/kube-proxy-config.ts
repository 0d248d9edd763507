/**
 * `--config FILE`: kube-proxy's own KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1),
 * so a node's configuration can be used as it is. Only the fields that change iptables rules
 * are read; command-line flags given explicitly win over the file. Each value is checked as
 * it is read, by the readers the flags use (options.ts), and a bad one is an InputError
 * naming the file and the field: `kube-proxy.yaml: KubeProxyConfiguration: clusterCIDR:
 * "10.0.0.0/33" is not a CIDR`.
 */
import yaml from 'js-yaml';
import { InputError, systemErrorText, UserError } from '../errors.js';
import { readInputText } from './read.js';
import { checkAliasExpansion } from './yaml-aliases.js';
import {
  DETECT_LOCAL_MODES,
  OptionValueError,
  readChoice,
  readCIDR,
  readInterfaceName,
  readInterfacePrefix,
  readIP,
  readMasqueradeBit,
  readNodePortAddresses,
  type RunOptions,
} from '../options.js';
import { isRecord } from '../util.js';

/** The RunOptions fields a KubeProxyConfiguration can set. */
export type ConfigurableOption =
  | 'hostnameOverride'
  | 'nodeIPs'
  | 'clusterCIDRs'
  | 'detectLocalMode'
  | 'podBridgeInterface'
  | 'podInterfaceNamePrefix'
  | 'masqueradeAll'
  | 'masqueradeBit'
  | 'localhostNodePorts'
  | 'nodePortAddresses'
  | 'featureGates'
  | 'conntrackTCPBeLiberal';

/** Read FILE and set, in `o`, every field it gives that `explicit` does not already claim. */
export function applyKubeProxyConfig(o: RunOptions, file: string, explicit: (k: ConfigurableOption) => boolean): void {
  let text: string;
  try {
    text = readInputText(file, file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${file}: ${systemErrorText(e)}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
    checkAliasExpansion(doc, file, 1);
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      throw new InputError({ file, line: e.mark.line + 1, column: e.mark.column + 1 }, `invalid YAML: ${e.reason}`);
    }
    throw e;
  }
  const object = 'KubeProxyConfiguration';
  const fail = (field: string, problem: string): never => {
    throw new InputError({ file, object, field }, problem);
  };
  if (!isRecord(doc) || doc.kind !== 'KubeProxyConfiguration') {
    throw new InputError({ file }, 'not a KubeProxyConfiguration (kind: KubeProxyConfiguration, apiVersion: kubeproxy.config.k8s.io/v1alpha1)');
  }
  const str = (v: unknown, field: string): string => (typeof v === 'string' ? v : fail(field, 'must be a string'));
  /** `read` the field's value; a value it refuses is an InputError at the field. */
  const checked = <V, T>(field: string, v: V, read: (v: V) => T): T => {
    try {
      return read(v);
    } catch (e) {
      if (e instanceof OptionValueError) fail(field, e.message);
      throw e;
    }
  };
  const bool = (v: unknown, field: string): boolean => (typeof v === 'boolean' ? v : fail(field, 'must be true or false'));
  const sub = (key: string): Record<string, unknown> => {
    const v = doc[key];
    if (v === undefined || v === null) return {};
    return isRecord(v) ? v : fail(key, 'must be an object');
  };
  const set = <K extends ConfigurableOption>(k: K, v: RunOptions[K]): void => {
    if (!explicit(k)) o[k] = v;
  };

  if (doc.mode !== undefined && doc.mode !== null && doc.mode !== '' && doc.mode !== 'iptables') {
    fail('mode', `${JSON.stringify(doc.mode)}: kp-gen models kube-proxy's iptables mode only`);
  }
  if (typeof doc.hostnameOverride === 'string' && doc.hostnameOverride !== '') set('hostnameOverride', doc.hostnameOverride);
  // bindAddress overrides kube-proxy's idea of the node's primary IP (unless unspecified).
  if (doc.bindAddress !== undefined && doc.bindAddress !== null) {
    const b = str(doc.bindAddress, 'bindAddress');
    if (b !== '' && b !== '0.0.0.0' && b !== '::') {
      checked('bindAddress', b, readIP);
      set('nodeIPs', [b]);
    }
  }
  if (doc.clusterCIDR !== undefined && doc.clusterCIDR !== null && doc.clusterCIDR !== '') {
    const cidrs = str(doc.clusterCIDR, 'clusterCIDR').split(',').map((c) => c.trim()).filter((c) => c !== '');
    for (const c of cidrs) checked('clusterCIDR', c, readCIDR);
    set('clusterCIDRs', cidrs);
  }
  if (doc.detectLocalMode !== undefined && doc.detectLocalMode !== null && doc.detectLocalMode !== '') {
    set('detectLocalMode', checked('detectLocalMode', str(doc.detectLocalMode, 'detectLocalMode'), readChoice(DETECT_LOCAL_MODES)));
  }
  const detectLocal = sub('detectLocal');
  if (detectLocal.bridgeInterface !== undefined && detectLocal.bridgeInterface !== null && detectLocal.bridgeInterface !== '') {
    const field = 'detectLocal.bridgeInterface';
    set('podBridgeInterface', checked(field, str(detectLocal.bridgeInterface, field), readInterfaceName));
  }
  if (detectLocal.interfaceNamePrefix !== undefined && detectLocal.interfaceNamePrefix !== null && detectLocal.interfaceNamePrefix !== '') {
    const field = 'detectLocal.interfaceNamePrefix';
    set('podInterfaceNamePrefix', checked(field, str(detectLocal.interfaceNamePrefix, field), readInterfacePrefix));
  }
  const ipt = sub('iptables');
  if (ipt.masqueradeAll !== undefined && ipt.masqueradeAll !== null) set('masqueradeAll', bool(ipt.masqueradeAll, 'iptables.masqueradeAll'));
  if (ipt.masqueradeBit !== undefined && ipt.masqueradeBit !== null) {
    if (typeof ipt.masqueradeBit !== 'number') fail('iptables.masqueradeBit', 'must be an integer');
    set('masqueradeBit', checked('iptables.masqueradeBit', ipt.masqueradeBit as number, readMasqueradeBit));
  }
  if (ipt.localhostNodePorts !== undefined && ipt.localhostNodePorts !== null) {
    set('localhostNodePorts', bool(ipt.localhostNodePorts, 'iptables.localhostNodePorts'));
  }
  if (Array.isArray(doc.nodePortAddresses) && doc.nodePortAddresses.length > 0) {
    const entries = doc.nodePortAddresses.map((v, i) => str(v, `nodePortAddresses[${i}]`));
    set('nodePortAddresses', checked('nodePortAddresses', entries, readNodePortAddresses));
  }
  if (isRecord(doc.featureGates)) {
    const gates: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(doc.featureGates)) gates[k] = bool(v, `featureGates.${k}`);
    set('featureGates', gates);
  }
  const conntrack = sub('conntrack');
  if (conntrack.tcpBeLiberal !== undefined && conntrack.tcpBeLiberal !== null) {
    set('conntrackTCPBeLiberal', bool(conntrack.tcpBeLiberal, 'conntrack.tcpBeLiberal'));
  }
}
