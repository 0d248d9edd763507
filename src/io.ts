/** The process's streams, injectable so tests can run any command in-process. */
export interface CliIO {
  stdout: (s: string) => Promise<void>;
  stderr: (s: string) => void;
  readStdin: () => string;
  /** Whether stdout / stderr are terminals (colour, progress lines). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Environment variables (KUBECONFIG, HOME, KUBERNETES_SERVICE_*); none when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}
