/**
 * Stops calling a failing subgraph for a while. After `failureThreshold` failures in a row the
 * circuit opens and calls fail at once; after `cooldownMs` one probe call is let through: its
 * success closes the circuit, its failure opens it again. No restart is ever needed.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go out now; in half-open state only one probe at a time. */
  tryPass(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failed(): void {
    this.failures += 1;
    if (this.probing || this.failures >= this.failureThreshold) this.openedAt = this.now();
    this.probing = false;
  }
}
