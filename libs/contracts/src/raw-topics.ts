// Topics outside the Avro catalogue: plain JSON for producers without a schema registry. They carry no schema id and
// no EventContract; the consumer validates every record itself (the llm-call JSON topic: `llmCallInputSchema`).
// WARNING: these names are on the wire, like Topics. A breaking change to a record's shape gets a new topic (….v2).
export const RawTopics = {
  /**
   * One logged LLM call per record as UTF-8 JSON, the shape `parseLlmCall` accepts (the blueprint's
   * `{timestamp, workload_id, client_id, request, response}` plus optional `log_id`, `latency_ms`, `feedback`).
   * Key: the workload id (keeps one workload's calls in order). Consumed by the log-ingester.
   */
  llmCallJsonV1: 'flywheel.log.llm-call-json.v1',
} as const;

export type RawTopic = (typeof RawTopics)[keyof typeof RawTopics];
