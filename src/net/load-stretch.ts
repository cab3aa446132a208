/**
 * A timeout on a saturated host: when this process ran at least SATURATED times slower than the CPU time it got
 * (ctx.hostSlowdown), a second of it is not a second of a running one, so a default timeout stretches by that
 * slowdown, up to MAX_STRETCH. Otherwise it stays as documented (off EC2, IMDS still gives up within ~1.5 s).
 */
export const SATURATED = 2;
export const MAX_STRETCH = 10;

/** The factor to multiply a default timeout by (1 on a host with CPU to spare). */
export function loadStretch(slowdown: number): number {
  return slowdown < SATURATED ? 1 : Math.min(MAX_STRETCH, slowdown);
}
