// The bus is generic over an event catalogue: topic → contract. The real catalogue lives in @flywheel/contracts;
// tests use their own small one (src/testing/test-catalogue.ts).
import { type EventContract } from '@flywheel/contracts';
import { BusConfigError } from './errors';

/**
 * Any catalogue. `never` as the payload bound accepts every contract (its functions take the payload, so they are
 * contravariant in it) without resorting to `any`.
 */
export type Catalogue = { readonly [topic: string]: EventContract<string, never> };

export type TopicOf<C extends Catalogue> = keyof C & string;

export type PayloadOf<C extends Catalogue, T extends TopicOf<C>> =
  C[T] extends EventContract<string, infer P> ? P : never;

/** A contract with its payload type erased, for the bus internals that handle every topic alike. */
export interface ErasedContract {
  readonly topic: string;
  readonly subject: string;
  readonly schema: EventContract<string, unknown>['schema'];
  readonly keyOf: (payload: unknown) => string;
  readonly validate: (payload: unknown) => string[];
}

export function contractOf(catalogue: Catalogue, topic: string): ErasedContract {
  const contract = Object.prototype.hasOwnProperty.call(catalogue, topic) ? catalogue[topic] : undefined;
  if (contract === undefined) throw new BusConfigError([`topic '${topic}' is not in the event catalogue`]);
  // The catalogue pairs each topic with its own payload type; internally every payload is checked before use.
  return contract as unknown as ErasedContract;
}

/** Each entry must be filed under its own topic and name a subject, or events would go to the wrong place. */
export function catalogueProblems(catalogue: Catalogue): string[] {
  if (typeof catalogue !== 'object' || catalogue === null) return ['catalogue: missing'];
  const problems: string[] = [];
  const topics = Object.keys(catalogue);
  if (topics.length === 0) problems.push('catalogue: no events');
  for (const key of topics) {
    const c = contractOf(catalogue, key);
    if (c.topic !== key) problems.push(`catalogue.${key}: contract topic is '${c.topic}'`);
    if (typeof c.subject !== 'string' || c.subject.length === 0) problems.push(`catalogue.${key}: empty subject`);
    if (typeof c.keyOf !== 'function' || typeof c.validate !== 'function') {
      problems.push(`catalogue.${key}: keyOf and validate must be functions`);
    }
  }
  return problems;
}
