/** The process's streams, injectable so tests can run any command in-process. */
export interface CliIO {
  /** Output text, or its UTF-8 bytes (the rules, chunk by chunk; a chunk ends at a line end). */
  stdout: (s: string | Uint8Array) => Promise<void>;
  stderr: (s: string) => void;
  readStdin: () => string;
  /** Whether stdout / stderr are terminals (colour, progress lines). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Environment variables (KUBECONFIG, HOME, KUBERNETES_SERVICE_*); none when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}
