/**
 * Module customization hooks that append the URL of every module node loads to a file, one a
 * line. Registered by module-log.mjs (`node --import`); they run on node's hooks thread, so
 * they write to a file rather than back to the test.
 */
import { appendFileSync } from 'node:fs';

let logFile;

export function initialize(data) {
  logFile = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(logFile, `${url}\n`);
  return nextLoad(url, context);
}
