// A small catalogue for the bus's own tests: the bus must not depend on the real events of @flywheel/contracts.
// WARNING (as in the real catalogue): topic strings are on the wire; never derive them from class names.
import { type EventContract } from '@flywheel/contracts';

export const TestTopics = {
  OrderPlaced: 'test.order-placed.v1',
  OrderShipped: 'test.order-shipped.v1',
  Ping: 'test.ping.v1',
} as const;

export interface OrderPlacedV1 {
  eventId: string;
  orderId: string;
  /** Must be positive: the business rule the contract's validate() checks beyond the schema. */
  amountCents: number;
  note: string | null;
}

export interface OrderShippedV1 {
  eventId: string;
  orderId: string;
  carrier: string;
}

export interface PingV1 {
  eventId: string;
  seq: number;
}

const orderPlacedContract: EventContract<typeof TestTopics.OrderPlaced, OrderPlacedV1> = {
  topic: TestTopics.OrderPlaced,
  subject: `${TestTopics.OrderPlaced}-value`,
  schema: {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'flywheel.test.v1',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'orderId', type: 'string' },
      { name: 'amountCents', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  },
  keyOf: (e) => e.orderId,
  validate: (e) => [
    ...(e.orderId.length === 0 ? ['orderId is empty'] : []),
    ...(e.amountCents <= 0 ? [`amountCents must be positive, got ${e.amountCents}`] : []),
  ],
};

const orderShippedContract: EventContract<typeof TestTopics.OrderShipped, OrderShippedV1> = {
  topic: TestTopics.OrderShipped,
  subject: `${TestTopics.OrderShipped}-value`,
  schema: {
    type: 'record',
    name: 'OrderShipped',
    namespace: 'flywheel.test.v1',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'orderId', type: 'string' },
      { name: 'carrier', type: 'string' },
    ],
  },
  keyOf: (e) => e.orderId,
  validate: (e) => (e.carrier.length === 0 ? ['carrier is empty'] : []),
};

const pingContract: EventContract<typeof TestTopics.Ping, PingV1> = {
  topic: TestTopics.Ping,
  subject: `${TestTopics.Ping}-value`,
  schema: {
    type: 'record',
    name: 'Ping',
    namespace: 'flywheel.test.v1',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'seq', type: 'int' },
    ],
  },
  keyOf: (e) => `ping-${e.seq}`,
  validate: () => [],
};

export const testCatalogue = {
  [TestTopics.OrderPlaced]: orderPlacedContract,
  [TestTopics.OrderShipped]: orderShippedContract,
  [TestTopics.Ping]: pingContract,
} as const;

export type TestCatalogue = typeof testCatalogue;

let seq = 0;
/** A valid OrderPlaced with a fresh id; override any field. */
export function newOrderPlaced(overrides: Partial<OrderPlacedV1> = {}): OrderPlacedV1 {
  seq += 1;
  return { eventId: `evt-${seq}`, orderId: `order-${seq}`, amountCents: 1000 + seq, note: null, ...overrides };
}
