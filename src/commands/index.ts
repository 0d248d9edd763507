/**
 * Commands besides the main job. Each lives in its own folder (commands/<name>/) and exports a
 * `register(program, onParsed)` that declares its commander sub-command and hands back, through
 * onParsed, a closure that runs it. Add one line here per command.
 */
import type { Command } from 'commander';
import type { OnParsed } from './parsed.js';
import { register as registerLab } from './lab/index.js';
import { register as registerDiff } from './diff/index.js';
import { register as registerTrace } from './trace/index.js';

export type { OnParsed, ParsedCommand } from './parsed.js';

export function registerSubcommands(program: Command, onParsed: OnParsed): void {
  registerLab(program, onParsed);
  registerDiff(program, onParsed);
  registerTrace(program, onParsed);
}
