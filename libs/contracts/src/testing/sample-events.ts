// One minimal valid payload per topic, for tests here and in other libraries (round trips, handlers, fakes).
// Each passes its schema and its business validation; tests that need a variant spread one and change a field.
import { type EventOf, type Topic, Topics } from '../topics';

export const SAMPLE_RUN_ID = 'run-0001';
export const SAMPLE_OCCURRED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A fixed, valid UUID per sample so payloads compare equal across runs. */
function eventId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function envelope(n: number): { event_id: string; run_id: string; occurred_at: number } {
  return { event_id: eventId(n), run_id: SAMPLE_RUN_ID, occurred_at: SAMPLE_OCCURRED_AT };
}

const error = { code: 'TIMEOUT', message: 'no answer within 30 s', retryable: true };
const curation = { records_read: 120, records_selected: 100, dropped_by_rule: { duplicate_query: 20 } };

export const sampleEvents: { readonly [T in Topic]: EventOf<T> } = {
  [Topics.llmCallLoggedV1]: {
    event_id: eventId(1),
    log_id: null,
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    timestamp: SAMPLE_OCCURRED_AT,
    request: {
      model: 'meta/llama-3.3-70b-instruct',
      messages: [{ role: 'user', content: 'Weather in Paris?', name: null, tool_call_id: null, tool_calls: [] }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: null, parameters: '{"type":"object","properties":{}}' },
        },
      ],
      tool_choice: { mode: 'auto', function_name: null },
      temperature: 0,
      top_p: null,
      max_tokens: 256,
      n: null,
      seed: null,
      stop: [],
      presence_penalty: null,
      frequency_penalty: null,
      parallel_tool_calls: null,
    },
    response: {
      id: 'chatcmpl-1',
      model: 'meta/llama-3.3-70b-instruct',
      created: SAMPLE_OCCURRED_AT,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            name: null,
            tool_call_id: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
    },
    latency_ms: 840,
    feedback: null,
  },
  [Topics.logsIngestedV1]: {
    event_id: eventId(27),
    workload_id: 'agent.tool_router',
    occurred_at: SAMPLE_OCCURRED_AT,
    window_start: SAMPLE_OCCURRED_AT - 5000,
    records_since_last: 120,
    total_records: 1320,
    client_ids: ['aiva-demo'],
    newest_record_at: SAMPLE_OCCURRED_AT - 20,
    ingester_instance: 'ingester-host-4242',
  },
  [Topics.runRequestedV1]: {
    ...envelope(2),
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    candidates: [
      {
        model_name: 'meta/llama-3.2-1b-instruct',
        context_length: 8192,
        icl_enabled: true,
        customization_enabled: true,
      },
    ],
    data_split: null,
    icl: null,
    training: null,
    lora: null,
    requested_by: 'alice',
    requested_at: SAMPLE_OCCURRED_AT,
  },
  [Topics.runStartedV1]: {
    ...envelope(3),
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    candidate_models: ['meta/llama-3.2-1b-instruct'],
    config_hash: 'sha256:0f1e',
  },
  [Topics.runCancelRequestedV1]: { ...envelope(4), requested_by: 'alice', reason: 'wrong workload' },
  [Topics.runCompletedV1]: {
    ...envelope(5),
    summary: {
      workload_type: 'tool_calling',
      num_records: 100,
      candidates: [
        { model_name: 'meta/llama-3.2-1b-instruct', status: 'completed', evaluations_completed: 3, error: null },
      ],
      recommended_model: 'meta/llama-3.2-1b-instruct',
    },
    duration_ms: 3_600_000,
  },
  [Topics.runFailedV1]: { ...envelope(6), stage: 'dataset_build', error },
  [Topics.runCancelledV1]: { ...envelope(7), requested_by: 'alice', reason: null, stage: 'evaluation' },
  [Topics.runDeletedV1]: { ...envelope(8), deleted_by: 'alice' },
  [Topics.stageProgressV1]: {
    ...envelope(9),
    stage: 'evaluation',
    model_name: 'meta/llama-3.2-1b-instruct',
    percent: 42.5,
    message: 'base evaluation running',
  },
  [Topics.datasetsBuiltV1]: {
    ...envelope(10),
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    workload_type: 'tool_calling',
    eval: { name: 'flywheel-eval-agent.tool_router-1', uri: 'hf://datasets/dfwbp/eval-1', record_count: 20 },
    icl: { name: 'flywheel-icl-agent.tool_router-1', uri: 'hf://datasets/dfwbp/icl-1', record_count: 20 },
    icl_by_model: [
      {
        model_name: 'meta/llama-3.2-1b-instruct',
        dataset: { name: 'flywheel-icl-agent.tool_router-1', uri: 'hf://datasets/dfwbp/icl-1', record_count: 20 },
      },
    ],
    train: { name: 'flywheel-train-agent.tool_router-1', uri: 'hf://datasets/dfwbp/train-1', record_count: 72 },
    val: { name: 'flywheel-val-agent.tool_router-1', uri: 'hf://datasets/dfwbp/val-1', record_count: 8 },
    curation,
    lineage: {
      log_store_query: null,
      offset_ranges: [{ topic: 'flywheel.log.llm-call-logged.v1', partition: 0, from_offset: 0, to_offset: 119 }],
      from_timestamp: SAMPLE_OCCURRED_AT - 86_400_000,
      to_timestamp: SAMPLE_OCCURRED_AT,
    },
    config_hash: 'sha256:0f1e',
  },
  [Topics.datasetsFailedV1]: {
    ...envelope(11),
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    error: { code: 'INSUFFICIENT_RECORDS', message: 'found 12 valid records, need 50', retryable: false },
    curation: { records_read: 30, records_selected: 12, dropped_by_rule: { invalid_openai_format: 18 } },
  },
  [Topics.candidateDeployRequestedV1]: {
    ...envelope(12),
    model_name: 'meta/llama-3.2-1b-instruct',
    role: 'candidate',
    context_length: 8192,
    gpus: 1,
    image_tag: null,
  },
  [Topics.candidateDeployedV1]: {
    ...envelope(13),
    model_name: 'meta/llama-3.2-1b-instruct',
    role: 'candidate',
    deployment_id: 'dep-1',
    endpoint_url: 'http://nim.test/v1',
    reused: false,
  },
  [Topics.candidateDeployFailedV1]: {
    ...envelope(14),
    model_name: 'meta/llama-3.2-1b-instruct',
    role: 'candidate',
    error,
  },
  [Topics.candidateReleasedV1]: {
    ...envelope(15),
    model_name: 'meta/llama-3.2-1b-instruct',
    role: 'candidate',
    deployment_id: 'dep-1',
    reason: 'completed',
  },
  [Topics.candidateFinishedV1]: {
    ...envelope(27),
    model_name: 'meta/llama-3.2-1b-instruct',
    status: 'failed',
    error: { code: 'EVALUATION_FAILED', message: 'icl evaluation failed: judge timed out', retryable: false },
  },
  [Topics.customizationStartedV1]: {
    ...envelope(16),
    model_name: 'meta/llama-3.2-1b-instruct',
    job_id: 'cust-1',
    output_model_name: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
    train_dataset: 'flywheel-train-agent.tool_router-1',
    training: {
      training_type: 'sft',
      finetuning_type: 'lora',
      epochs: 2,
      batch_size: 16,
      learning_rate: 0.0001,
      adapter_dim: 32,
      adapter_dropout: 0.1,
    },
  },
  [Topics.customizationProgressV1]: {
    ...envelope(17),
    model_name: 'meta/llama-3.2-1b-instruct',
    job_id: 'cust-1',
    percent: 50,
    epoch: 1,
    step: 9,
    train_loss: 0.82,
    val_loss: null,
  },
  [Topics.customizationCompletedV1]: {
    ...envelope(18),
    model_name: 'meta/llama-3.2-1b-instruct',
    job_id: 'cust-1',
    customized_model_name: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
    epochs_completed: 2,
    steps_completed: 18,
    final_train_loss: 0.41,
    final_val_loss: 0.47,
    duration_ms: 1_200_000,
  },
  [Topics.customizationFailedV1]: {
    ...envelope(19),
    model_name: 'meta/llama-3.2-1b-instruct',
    job_id: null,
    error,
  },
  [Topics.evaluationStartedV1]: {
    ...envelope(20),
    model_name: 'meta/llama-3.2-1b-instruct',
    eval_type: 'base',
    target_model: 'meta/llama-3.2-1b-instruct',
    job_id: 'eval-1',
    dataset_name: 'flywheel-eval-agent.tool_router-1',
    workload_type: 'tool_calling',
  },
  [Topics.evaluationProgressV1]: {
    ...envelope(21),
    model_name: 'meta/llama-3.2-1b-instruct',
    eval_type: 'base',
    job_id: 'eval-1',
    percent: 60,
  },
  [Topics.evaluationCompletedV1]: {
    ...envelope(22),
    model_name: 'meta/llama-3.2-1b-instruct',
    eval_type: 'base',
    target_model: 'meta/llama-3.2-1b-instruct',
    job_id: 'eval-1',
    scores: { function_name_accuracy: 0.9, function_name_and_args_accuracy: 0.75, tool_calling_correctness: 0.8 },
    sample_count: 20,
    failed_sample_count: 0,
    duration_ms: 90_000,
    mean_latency_ms: 412.5,
    mean_prompt_tokens: 850,
    mean_completion_tokens: 42,
  },
  [Topics.evaluationFailedV1]: {
    ...envelope(23),
    model_name: 'meta/llama-3.2-1b-instruct',
    eval_type: 'icl',
    job_id: 'eval-2',
    error,
  },
  [Topics.candidateRecommendedV1]: {
    ...envelope(24),
    workload_id: 'agent.tool_router',
    workload_type: 'tool_calling',
    baseline: { model_name: 'meta/llama-3.3-70b-instruct', scores: { function_name_and_args_accuracy: 1 } },
    primary_metric: 'function_name_and_args_accuracy',
    threshold: 0.9,
    candidates: [
      {
        model_name: 'meta/llama-3.2-1b-instruct',
        customized_model_name: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
        evaluations: [
          {
            eval_type: 'customized',
            scores: { function_name_and_args_accuracy: 0.93 },
            delta_vs_baseline: { function_name_and_args_accuracy: -0.07 },
            sample_count: 20,
          },
        ],
        meets_threshold: true,
      },
    ],
    recommended_model: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
    recommended_eval_type: 'customized',
    rationale: 'The LoRA-tuned 1B model reaches 93 % of the 70B model on name-and-arguments accuracy.',
  },
  [Topics.modelPromotedV1]: {
    ...envelope(25),
    workload_id: 'agent.tool_router',
    model_name: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
    previous_model: 'meta/llama-3.3-70b-instruct',
    promoted_by: 'alice',
    reason: null,
  },
  [Topics.modelRolledBackV1]: {
    ...envelope(26),
    workload_id: 'agent.tool_router',
    model_name: 'dfwbp/customized-meta-llama-3.2-1b-instruct-run-0001',
    restored_model: 'meta/llama-3.3-70b-instruct',
    rolled_back_by: 'bob',
    reason: 'latency regression',
  },
};
