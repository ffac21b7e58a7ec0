import { GraphQLError } from 'graphql';
import { EARLIEST_DATE, isCalendarDate, isRealDay, LATEST_DATE } from './dates';

/** Input checks every subgraph's writes use: each problem with the path of its field, all reported at once. */
export interface Problem {
  /** Where the bad value is, e.g. `input.branches[1].postalCode`. */
  field: string;
  message: string;
}

/** Collects every problem of one input, so the user sees them all at once. */
export class Checks {
  readonly problems: Problem[] = [];

  constructor(private readonly prefix = 'input') {}

  private at(field: string): string {
    return field.startsWith('[') ? `${this.prefix}${field}` : `${this.prefix}.${field}`;
  }

  fail(field: string, message: string): void {
    this.problems.push({ field: this.at(field), message });
  }

  text(field: string, value: unknown, max: number, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'is required');
      return;
    }
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must not be empty');
    else if (value.length > max) this.fail(field, `must be at most ${max} characters`);
  }

  oneOf(field: string, value: unknown, allowed: readonly string[], required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'is required');
    } else if (!allowed.includes(value as string)) this.fail(field, `must be one of ${allowed.join(', ')}`);
  }

  wholeNumber(field: string, value: unknown, min: number, max: number, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'is required');
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be a whole number from ${min} to ${max}`);
    }
  }

  amount(field: string, value: unknown, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'is required');
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e9) {
      this.fail(field, 'must be an amount from 0 to 1,000,000,000 euros');
    } else if (Math.round(value * 100) !== value * 100) this.fail(field, 'must have at most two decimals (cents)');
  }

  date(field: string, value: unknown, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'is required');
    } else if (!isCalendarDate(value)) {
      this.fail(field, isRealDay(value) ? `must be a day from ${EARLIEST_DATE} to ${LATEST_DATE}` : 'must be a date like 2026-11-23');
    }
  }

  /** `earlier` must come strictly before `later` (both YYYY-MM-DD). */
  order(field: string, earlier: unknown, later: unknown, message: string): void {
    if (typeof earlier === 'string' && typeof later === 'string' && !(earlier < later)) this.fail(field, message);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw invalidInput(this.problems);
  }
}

export function invalidInput(problems: Problem[]): GraphQLError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new GraphQLError(`Invalid input: ${first.field} ${first.message}${more}`, {
    extensions: { code: 'BAD_USER_INPUT', problems },
  });
}
