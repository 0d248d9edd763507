/**
 * `node --import <this file>`: log every module the process loads to the file named by
 * KP_GEN_MODULE_LOG (see module-log-hooks.mjs).
 */
import { register } from 'node:module';

const file = process.env.KP_GEN_MODULE_LOG;
if (!file) throw new Error('module-log.mjs: set KP_GEN_MODULE_LOG to the log file');
register('./module-log-hooks.mjs', import.meta.url, { data: { file } });
