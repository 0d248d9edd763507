/** Catch the InputError `fn` throws (any other error, or none, fails the test). */
import { InputError } from '../../src/errors.js';

export function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}
