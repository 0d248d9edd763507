/**
 * Commands besides the main job. Each lives in its own folder (commands/<name>/): its
 * index.ts declares the commander sub-command and hands back, through onParsed, the command's
 * name and its options as plain data; its run.ts, imported only when the command runs, does
 * the work. Add a line to each list here per command.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { register as registerHost, run as runHost, type HostCommand } from './apply/index.js';
import { register as registerDiff, run as runDiff, type DiffCommand } from './diff/index.js';
import { register as registerGraph, run as runGraph, type GraphCommand } from './graph/index.js';
import { register as registerLab, run as runLab, type LabCommand } from './lab/index.js';
import { register as registerLs, run as runLs, type LsCommand } from './ls/index.js';
import { register as registerTrace, run as runTrace, type TraceCommand } from './trace/index.js';

/** A parsed sub-command: its name and its options. */
export type CommandOptions = DiffCommand | TraceCommand | LabCommand | HostCommand | LsCommand | GraphCommand;

export function registerSubcommands(program: Command, onParsed: (c: CommandOptions) => void): void {
  registerLab(program, onParsed);
  registerDiff(program, onParsed);
  registerTrace(program, onParsed);
  registerHost(program, onParsed);
  registerLs(program, onParsed);
  registerGraph(program, onParsed);
}

/** Run a parsed sub-command; resolves to its exit code. */
export function runCommand(io: CliIO, c: CommandOptions): Promise<number> {
  switch (c.name) {
    case 'diff':
      return runDiff(io, c.options);
    case 'trace':
      return runTrace(io, c.options);
    case 'apply':
    case 'cleanup':
      return runHost(io, c);
    case 'ls':
      return runLs(io, c.options);
    case 'graph':
      return runGraph(io, c.options);
    default:
      return runLab(io, c);
  }
}
