/**
 * `hostile`: abusive clients against each engine (slowloris, CRLF trickling, chunk floods,
 * a client that never reads, deep pipelining): close times, RSS growth and a good
 * client's latency. A script of its own (see bench/hostile.ts).
 */
import type { ScriptBench } from './types.ts';

export const hostile: ScriptBench = {
  name: 'hostile',
  description: 'abusive clients per engine: time to close bad connections, peak RSS growth, good-client p99',
  script: 'bench/hostile.ts',
};
