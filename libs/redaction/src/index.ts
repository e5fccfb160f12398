// @flywheel/redaction: PII redaction of production log records before anything is stored.
// API agreed between the log-ingester and this library (implementation in progress by its owner):
//
//   redactionConfigSchema        zod schema of the redaction settings (detectors on/off, custom regexes, per-workload)
//   type RedactionConfig         z.output of it; type RedactionConfigInput = z.input
//   createRedactor(config)       -> Redactor
//   Redactor.redactRecord(record: LlmCallLoggedV1) -> { record: LlmCallLoggedV1; counts: RedactionCounts }
//                                  (never mutates its input; per-workload on/off read from record.workload_id)
//   Redactor.redactText(text: string, workloadId?: string) -> { text: string; counts: RedactionCounts }
//   type RedactionCounts         Readonly<Record<string, number>>: detector name -> replacements made
export {};
