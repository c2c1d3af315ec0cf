/** Exit codes for the network commands' Problems. */
import type { Problem } from '../../problem.js';
import { EXIT } from '../context.js';

export function exitCodeFor(problem: Problem): number {
  if (problem.code === 'tool-missing' || problem.code === 'forwarding-failed') return EXIT.host;
  if (problem.code === 'network-not-found' || problem.code === 'tool-failed') return EXIT.failed;
  return EXIT.usage;
}
