/** When a circuit opens and how long it stays open (CIRCUIT_FAILURE_THRESHOLD, CIRCUIT_COOLDOWN_MS). */
export interface CircuitOptions {
  /** Consecutive failures that open a circuit. */
  failureThreshold: number;
  /** How long an open circuit waits before letting a probe through. */
  cooldownMs: number;
  /** The breakers' clock (milliseconds); Date.now unless a test moves time on itself. */
  now?: () => number;
}

export const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;

/**
 * Stops calling a failing subgraph for a while (the gateway keeps one per subgraph, the network
 * subgraph one per POI). After `failureThreshold` failures in a row the circuit opens and calls
 * fail at once; after `cooldownMs` one probe call is let through: its success closes the
 * circuit, its failure opens it again. No restart is ever needed.
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

  get state(): (typeof CIRCUIT_STATES)[number] {
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

/** What a call refused by an open circuit answers: `who` is unavailable. */
export const openCircuitMessage = (who: string) => `${who} is unavailable (recent requests failed; retrying shortly)`;

/** One breaker per name (a subgraph), made at its first use, all with the same options. */
export class Circuits {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly options: CircuitOptions) {}

  of(name: string): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker(this.options.failureThreshold, this.options.cooldownMs, this.options.now);
      this.breakers.set(name, breaker);
    }
    return breaker;
  }
}
