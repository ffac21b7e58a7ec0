import { CircuitBreaker } from '../shared/circuit-breaker';

/** A breaker on a clock the test moves by hand: 3 failures open it, 1000 ms of cooldown. */
function breaker() {
  let now = 1_000_000;
  const circuit = new CircuitBreaker(3, 1000, () => now);
  return { circuit, advance: (ms: number) => (now += ms) };
}

const failTimes = (circuit: CircuitBreaker, n: number) => {
  for (let i = 0; i < n; i++) circuit.failed();
};

describe('circuit breaker', () => {
  it('stays closed below the threshold; a success starts the count again', () => {
    const { circuit } = breaker();
    failTimes(circuit, 2);
    expect([circuit.state, circuit.tryPass()]).toEqual(['closed', true]);
    circuit.succeeded();
    failTimes(circuit, 2);
    expect([circuit.state, circuit.tryPass()]).toEqual(['closed', true]);
    circuit.failed();
    expect(circuit.state).toBe('open');
  });

  it('once open, refuses every call until the cooldown is over', () => {
    const { circuit, advance } = breaker();
    failTimes(circuit, 3);
    expect([circuit.state, circuit.tryPass(), circuit.tryPass()]).toEqual(['open', false, false]);
    advance(999);
    expect([circuit.state, circuit.tryPass()]).toEqual(['open', false]);
  });

  it('half-open lets exactly one probe through at a time', () => {
    const { circuit, advance } = breaker();
    failTimes(circuit, 3);
    advance(1000);
    expect(circuit.state).toBe('half-open');
    expect([circuit.tryPass(), circuit.tryPass(), circuit.tryPass()]).toEqual([true, false, false]);
    // Time passing does not let a second probe out while the first is out.
    advance(5000);
    expect(circuit.tryPass()).toBe(false);
  });

  it('a failed probe opens the circuit again for a whole cooldown, then allows one new probe', () => {
    const { circuit, advance } = breaker();
    failTimes(circuit, 3);
    advance(1500);
    expect(circuit.tryPass()).toBe(true);
    circuit.failed(); // one failure is enough: the probe's
    expect([circuit.state, circuit.tryPass()]).toEqual(['open', false]);
    advance(999);
    expect([circuit.state, circuit.tryPass()]).toEqual(['open', false]);
    advance(1);
    expect(circuit.state).toBe('half-open');
    expect([circuit.tryPass(), circuit.tryPass()]).toEqual([true, false]);
  });

  it('a successful probe closes the circuit: every call passes, and it takes the full threshold to open again', () => {
    const { circuit, advance } = breaker();
    failTimes(circuit, 3);
    advance(1000);
    expect(circuit.tryPass()).toBe(true);
    circuit.succeeded();
    expect([circuit.state, circuit.tryPass(), circuit.tryPass()]).toEqual(['closed', true, true]);
    failTimes(circuit, 2);
    expect(circuit.state).toBe('closed');
    circuit.failed();
    expect(circuit.state).toBe('open');
  });
});
