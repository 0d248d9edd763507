import { describe, expect, it } from 'vitest';
import type { RawObject } from './files.js';
import { layerObjects } from './layer.js';

const obj = (file: string, kind: string, name: string, namespace?: string): RawObject => ({
  file,
  doc: 1,
  value: { kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
});

describe('layerObjects', () => {
  it('drops cluster objects a file redefines (kind, namespace, name), keeps the rest in order', () => {
    const cluster = [obj('c', 'Service', 'a', 'default'), obj('c', 'Service', 'b'), obj('c', 'EndpointSlice', 'a')];
    const files = [obj('f', 'Service', 'a'), obj('f', 'Service', 'b', 'other')];
    const r = layerObjects(cluster, files);
    expect(r.objects).toEqual([cluster[1], cluster[2], ...files]);
  });
  it('leaves duplicates within files for the normaliser to reject', () => {
    const files = [obj('f', 'Service', 'a'), obj('g', 'Service', 'a')];
    expect(layerObjects([], files).objects).toEqual(files);
  });
});
