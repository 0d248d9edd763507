/**
 * What a sub-command's declaration hands back when its command line has been parsed. Apart
 * from commands/index.ts, which imports every command, so that no command imports it back.
 */
import type { CliIO } from '../io.js';

/** A sub-command, parsed: its name and what runs it. */
export interface ParsedCommand {
  kind: 'command';
  name: string;
  run: (io: CliIO) => Promise<number>;
}

export type OnParsed = (p: ParsedCommand) => void;
