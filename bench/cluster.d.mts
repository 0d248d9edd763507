/** Types for cluster.mjs (the benchmark's synthetic cluster generator). */
export declare const BENCH_FLAGS: string[];
export declare const SOURCE_FLAGS: string[];
export declare function generateCluster(services: number): object[];
export declare function generateSourceManifests(services: number): object[];
export declare function toJSONList(objects: readonly object[]): string;
export declare function toMultiDocYAML(objects: readonly object[], dump: (o: object, opts?: object) => string): string;
