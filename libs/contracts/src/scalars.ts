// Names for what Avro logical types carry, so generated payload types say what a number or string means.
// Values stay plain numbers and strings on both sides of the wire: no client needs a logical-type plug-in.

/** Avro `long` with logicalType `timestamp-millis`: UTC epoch milliseconds. */
export type TimestampMillis = number;

/** Avro `string` with logicalType `uuid`: a UUID in its canonical 36-character text form. */
export type Uuid = string;
