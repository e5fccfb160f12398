// The OpenAPI 3.1 document of the jobs API, served at GET /api/docs. Written by hand (no generator is installed);
// openapi-document.spec.ts checks that it names exactly the controller's routes, and the schemas mirror the zod
// schemas of the inputs (runRequestInputSchema, the list query, the promote body) and the views in job-views.ts.
import { RunStatuses } from '@flywheel/stores';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const int = (min = 0): Json => ({ type: 'integer', minimum: min });
const time = { type: ['string', 'null'], format: 'date-time' };
const scores = { type: 'object', additionalProperties: { type: 'number' } };

const jobId: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Job id (a UUID minted by POST /api/jobs).',
  schema: { type: 'string', format: 'uuid' },
};

const errors = (...codes: number[]): Record<string, Json> =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      { description: ERROR_TEXT[c] ?? 'error', content: { 'application/json': { schema: ref('Error') } } },
    ]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed id, query or JSON',
  404: 'Unknown job',
  409: 'Not allowed in the job’s current status',
  422: 'Invalid body (the fields are named)',
  503: 'A store or the broker does not answer',
};

const ok = (schema: string, description: string): Json => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});

const candidateInput: Json = {
  type: 'object',
  additionalProperties: false,
  required: ['model_name'],
  properties: {
    model_name: { type: 'string', minLength: 1 },
    context_length: int(1),
    icl_enabled: { type: 'boolean', default: true },
    customization_enabled: { type: 'boolean', default: false },
  },
};

export const openApiDocument: Json = {
  openapi: '3.1.0',
  info: {
    title: 'flywheel jobs API',
    version: '1.0.0',
    description:
      'Blueprint-compatible jobs API of the flywheel results-aggregator. Every error has the shape of `Error`.',
  },
  paths: {
    '/api/jobs': {
      post: {
        summary: 'Start a flywheel job',
        requestBody: { required: true, content: { 'application/json': { schema: ref('JobRequest') } } },
        responses: { '200': ok('JobResponse', 'The job, with its stored status (pending)'), ...errors(400, 422, 503) },
      },
      get: {
        summary: 'List jobs, newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
          { name: 'cursor', in: 'query', schema: str, description: 'next_cursor of the previous page' },
          { name: 'workload_id', in: 'query', schema: str },
          { name: 'client_id', in: 'query', schema: str },
          {
            name: 'status',
            in: 'query',
            schema: str,
            description: `Comma-separated, of: ${RunStatuses.join(', ')}`,
          },
        ],
        responses: { '200': ok('JobsListResponse', 'One page of jobs'), ...errors(400, 503) },
      },
    },
    '/api/jobs/{id}': {
      get: {
        summary: 'A job with its candidates (nims), evaluations, customizations, datasets and judge',
        parameters: [jobId],
        responses: { '200': ok('JobDetailResponse', 'The job'), ...errors(400, 404, 503) },
      },
      delete: {
        summary: 'Delete a finished job and its records (services remove platform resources)',
        parameters: [jobId],
        responses: { '200': ok('JobActionResponse', 'Deletion started'), ...errors(400, 404, 409, 503) },
      },
    },
    '/api/jobs/{id}/cancel': {
      post: {
        summary: 'Cancel a job (idempotent)',
        parameters: [jobId],
        responses: { '200': ok('JobActionResponse', 'Cancelled, or already cancelled'), ...errors(400, 404, 409) },
      },
    },
    '/api/jobs/{id}/report': {
      get: {
        summary: 'The decision: candidates ranked with base / ICL / customized scores and the recommendation',
        parameters: [jobId],
        responses: { '200': ok('JobReport', 'The report (partial while the job runs)'), ...errors(400, 404, 503) },
      },
    },
    '/api/jobs/{id}/promote': {
      post: {
        summary: 'Promote a model evaluated in a completed job (default: the recommended one)',
        parameters: [jobId],
        requestBody: { content: { 'application/json': { schema: ref('PromoteRequest') } } },
        responses: { '200': ok('PromoteResponse', 'Promoted'), ...errors(400, 404, 409, 422) },
      },
    },
    '/api/docs': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } },
    },
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        required: ['status', 'error', 'detail'],
        properties: {
          status: { type: 'integer' },
          error: { enum: ['bad_request', 'not_found', 'conflict', 'unprocessable', 'unavailable', 'internal'] },
          detail: { type: 'string', description: 'What is wrong, in a sentence' },
          fields: {
            type: 'array',
            items: { type: 'object', properties: { field: str, message: str }, required: ['field', 'message'] },
          },
        },
      },
      JobRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['workload_id', 'client_id'],
        properties: {
          workload_id: { type: 'string', minLength: 1 },
          client_id: { type: 'string', minLength: 1 },
          candidates: { type: 'array', minItems: 1, items: candidateInput },
          data_split_config: {
            type: 'object',
            additionalProperties: false,
            properties: {
              eval_size: int(1),
              val_ratio: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
              min_total_records: int(1),
              random_seed: { type: ['integer', 'null'] },
              limit: int(1),
              parse_function_arguments: { type: 'boolean' },
            },
          },
          icl_config: {
            type: 'object',
            additionalProperties: false,
            properties: {
              max_context_length: int(1),
              reserved_tokens: int(0),
              max_examples: int(1),
              min_examples: int(0),
              example_selection: { enum: ['semantic_similarity', 'uniform_distribution'] },
            },
          },
          training_config: {
            type: 'object',
            additionalProperties: false,
            properties: {
              training_type: { const: 'sft' },
              finetuning_type: { const: 'lora' },
              epochs: int(1),
              batch_size: int(1),
              learning_rate: { type: 'number', exclusiveMinimum: 0 },
            },
          },
          lora_config: {
            type: 'object',
            additionalProperties: false,
            properties: { adapter_dim: int(1), adapter_dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
          },
        },
      },
      JobResponse: {
        type: 'object',
        properties: { id: str, status: { enum: [...RunStatuses] }, message: str },
      },
      JobActionResponse: { type: 'object', properties: { id: str, message: str, status: str } },
      Dataset: {
        type: 'object',
        properties: { name: str, num_records: int(), nmp_uri: nullableStr, kind: str },
      },
      JobListItem: {
        type: 'object',
        properties: {
          id: str,
          workload_id: str,
          client_id: str,
          status: { enum: [...RunStatuses] },
          started_at: { type: 'string', format: 'date-time' },
          finished_at: time,
          datasets: { type: 'array', items: ref('Dataset') },
          error: nullableStr,
        },
      },
      JobsListResponse: {
        type: 'object',
        properties: { jobs: { type: 'array', items: ref('JobListItem') }, next_cursor: nullableStr },
      },
      Evaluation: {
        type: 'object',
        properties: {
          eval_type: { enum: ['base-eval', 'icl-eval', 'customized-eval'] },
          scores,
          started_at: time,
          finished_at: time,
          runtime_seconds: { type: 'number' },
          progress: { type: 'number', minimum: 0, maximum: 100 },
          nmp_uri: nullableStr,
          mlflow_uri: nullableStr,
          error: nullableStr,
          status: { enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] },
          job_id: nullableStr,
        },
      },
      Customization: {
        type: 'object',
        properties: {
          started_at: time,
          finished_at: time,
          runtime_seconds: { type: 'number' },
          progress: { type: 'number' },
          epochs_completed: int(),
          steps_completed: int(),
          nmp_uri: nullableStr,
          customized_model: nullableStr,
          error: nullableStr,
          status: str,
          job_id: nullableStr,
        },
      },
      Nim: {
        type: 'object',
        properties: {
          model_name: str,
          status: {
            enum: ['pending', 'deploying-nim', 'running-evals', 'completed', 'failed', 'cancelled', 'skipped'],
          },
          deployment_status: str,
          runtime_seconds: { type: 'number' },
          evaluations: { type: 'array', items: ref('Evaluation') },
          customizations: { type: 'array', items: ref('Customization') },
          error: nullableStr,
        },
      },
      JobDetailResponse: {
        type: 'object',
        properties: {
          id: str,
          workload_id: str,
          client_id: str,
          status: { enum: [...RunStatuses] },
          started_at: { type: 'string', format: 'date-time' },
          finished_at: time,
          num_records: int(),
          llm_judge: {
            type: ['object', 'null'],
            properties: {
              model_name: str,
              type: { enum: ['local', 'remote'] },
              deployment_status: str,
              error: nullableStr,
            },
          },
          nims: { type: 'array', items: ref('Nim') },
          datasets: { type: 'array', items: ref('Dataset') },
          error: nullableStr,
          workload_type: nullableStr,
        },
      },
      JobReport: {
        type: 'object',
        properties: {
          id: str,
          status: str,
          final: { type: 'boolean' },
          primary_metric: str,
          teacher: { type: 'object', properties: { model_name: str, score: { type: ['number', 'null'] } } },
          max_gap: { type: 'number' },
          candidates: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                rank: int(1),
                model_name: str,
                status: str,
                customized_model: nullableStr,
                parameters_b: { type: ['number', 'null'] },
                scores: { type: 'object', additionalProperties: { anyOf: [scores, { type: 'null' }] } },
                sample_counts: { type: 'object', additionalProperties: { type: ['integer', 'null'] } },
                latency_ms: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
                cost: {
                  type: 'object',
                  description: 'Estimated USD per 1,000 calls in the best configuration, and on the teacher.',
                  properties: {
                    usd_per_1k_calls: { type: ['number', 'null'] },
                    teacher_usd_per_1k_calls: { type: ['number', 'null'] },
                    savings: { type: ['number', 'null'] },
                  },
                },
                best: { type: ['object', 'null'], properties: { eval_type: str, score: { type: 'number' } } },
                gap_to_teacher: { type: ['number', 'null'] },
                meets_threshold: { type: 'boolean' },
                error: nullableStr,
              },
            },
          },
          recommendation: {
            type: 'object',
            properties: { model_name: nullableStr, eval_type: nullableStr, rationale: str },
          },
        },
      },
      PromoteRequest: {
        type: 'object',
        additionalProperties: false,
        properties: { model_name: str, promoted_by: str, reason: nullableStr },
      },
      PromoteResponse: {
        type: 'object',
        properties: { id: str, model_name: str, previous_model: str, message: str },
      },
    },
  },
};
