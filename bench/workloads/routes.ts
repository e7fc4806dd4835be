/**
 * `routes`: URL resolution alone, with 10, 1,000 and 10,000 patterns, in-process (no
 * HTTP): shows that the compiled resolver's cost does not grow with the URLconf.
 */
import type { ScriptBench } from './types.ts';

export const routes: ScriptBench = {
  name: 'routes',
  description: 'resolver scaling: ns per resolution with 10, 1,000 and 10,000 routes (in-process)',
  script: 'bench/router/resolve.ts',
};
