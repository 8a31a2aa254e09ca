import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../config/config-error.js';
import { loadUserFunction } from '../../config/load-user-function.js';

/** What a custom combiner is given: every member that answered. */
export interface CombinerMember {
  /** Position of the member in the ensemble, from 1. */
  member: number;
  model: string;
  tier: string;
  text: string;
  /** What the ensemble's extractor found in the text, when it has one. */
  answer?: string;
  weight: number;
}

/** A user's combining function: `{ text, confidence?, reason? }`, or a promise of it. */
export type CustomCombiner = (members: CombinerMember[]) => unknown;

/** A combiner module that cannot be read, loaded, or has no function to call; the message names its path. */
export class CombinerLoadError extends Error {
  override readonly name = 'CombinerLoadError';
}

async function load(path: string): Promise<CustomCombiner> {
  try {
    const { fn } = await loadUserFunction(
      { module: path, orExports: ['combine'], at: 'flows.ensembles[].combiner', what: 'combiner', signature: 'a function (members) => { text, confidence?, reason? }' },
      '/',
    );
    return fn as CustomCombiner;
  } catch (error) {
    if (error instanceof ConfigError) throw new CombinerLoadError(error.problems.map((p) => p.message).join('; '));
    throw error;
  }
}

/**
 * Loads custom combiners by path, each once per process, and only those the
 * fleet file names (`named`, as written there): relative paths are
 * read from `baseDir` (the fleet file's folder). A module that fails to
 * load is tried again on the next job, so a fixed file needs no restart
 * when it was missing.
 */
export function createCombinerLoader(baseDir: string, named: ReadonlySet<string>): (path: string) => Promise<CustomCombiner> {
  const loaded = new Map<string, Promise<CustomCombiner>>();
  return async (given) => {
    // The path travels in the job's data: only a module the fleet file names is loaded, whatever the data says.
    if (!named.has(given)) throw new CombinerLoadError(`combiner ${given} is not one the fleet file names; not loaded`);
    const path = isAbsolute(given) ? given : resolve(baseDir, given);
    let pending = loaded.get(path);
    if (pending === undefined) {
      pending = load(path);
      loaded.set(path, pending);
      pending.catch(() => loaded.delete(path));
    }
    return pending;
  };
}
