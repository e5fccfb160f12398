// @flywheel/redaction: PII redaction of production log records before anything is stored. Pure: no I/O, no clock.
//
//   redactionConfigSchema        zod schema of the redaction settings (detectors on/off, custom regexes, per-workload)
//   type RedactionConfig         z.output of it; type RedactionConfigInput = z.input
//   createRedactor(config)       -> Redactor
//   Redactor.redactRecord(record: LlmCallLoggedV1) -> { record: LlmCallLoggedV1; counts: RedactionCounts }
//                                  (never mutates its input; per-workload on/off read from record.workload_id)
//   Redactor.redactText(text: string, workloadId?: string) -> { text: string; counts: RedactionCounts }
//   type RedactionCounts         Readonly<Record<string, number>>: detector name -> replacements made
export {
  parseRedactionConfig,
  redactionConfigSchema,
  RedactionConfigError,
  type CustomDetectorConfig,
  type RedactionConfig,
  type RedactionConfigInput,
  type RedactionConfigIssue,
} from './config';
export { BUILTIN_DETECTORS, DEFAULT_TOKENS, type BuiltinDetectorName } from './detectors/builtin-names';
export { luhnValid } from './detectors/credit-card';
export {
  createRedactor,
  type RecordRedaction,
  type RedactionCounts,
  type Redactor,
  type TextRedaction,
} from './redactor';
