// One contract suite per port, run against any Platform (the NeMo adapter and the OpenAI-compatible adapter,
// both against the simulator). Capability differences are explicit, not skipped silently.
import { type JudgeRef, type Platform, PlatformError, PlatformUnsupportedError } from '@flywheel/platform-clients';
import { type PlatformSimulator } from '../../src';
import { EMBEDDING_MODEL, FAST_WAIT, SMALL_MODEL, logLines } from '../fixtures';

export interface ContractTarget {
  platform: Platform;
  sim: PlatformSimulator;
  judge: JudgeRef;
  namespace: string;
  /** NeMo fine-tunes; OpenAI-compatible endpoints cannot. */
  customization: boolean;
  /** Our local engine times each candidate call; NeMo's per-sample records carry no latency. */
  sampleLatency: boolean;
  stop(): Promise<void>;
}

export function describePlatformContract(label: string, start: () => Promise<ContractTarget>): void {
  describe(`${label}: port contracts`, () => {
    let t: ContractTarget;
    const tools = { namespace: '', name: 'contract-tools' };
    const chat = { namespace: '', name: 'contract-chat' };

    beforeAll(async () => {
      t = await start();
      tools.namespace = t.namespace;
      chat.namespace = t.namespace;
    });
    afterAll(async () => {
      await t.stop();
    });

    describe('DatasetStore', () => {
      it('creates namespaces idempotently', async () => {
        await t.platform.datasets.ensureNamespace(t.namespace);
        await t.platform.datasets.ensureNamespace(t.namespace);
      });

      it('uploads, registers, reads back, re-registers and deletes a dataset', async () => {
        const ref = { namespace: t.namespace, name: 'contract-roundtrip' };
        const content = logLines('bfcl-simple-python.jsonl', 0, 3);
        await t.platform.datasets.uploadFile(ref, { path: 'eval_data.jsonl', content });
        const registered = await t.platform.datasets.registerDataset(ref, { description: 'contract' });
        expect(registered).toMatchObject({ ...ref, description: 'contract' });
        expect(registered.filesUrl).toContain(`${ref.namespace}/${ref.name}`);
        await t.platform.datasets.uploadFile(ref, {
          path: 'training/train_data.jsonl',
          content: new TextEncoder().encode(content),
        });
        await t.platform.datasets.registerDataset(ref); // the update path
        expect(await t.platform.datasets.getDataset(ref)).toMatchObject(ref);
        expect(await t.platform.datasets.downloadFile(ref, 'eval_data.jsonl')).toBe(content);
        expect(await t.platform.datasets.downloadFile(ref, 'missing.jsonl')).toBeNull();
        await t.platform.datasets.deleteDataset(ref);
        expect(await t.platform.datasets.getDataset(ref)).toBeNull();
        expect(await t.platform.datasets.downloadFile(ref, 'eval_data.jsonl')).toBeNull();
        await t.platform.datasets.deleteDataset(ref); // missing is fine
      });

      it('uploads the eval datasets used below', async () => {
        await t.platform.datasets.uploadFile(tools, {
          path: 'eval_data.jsonl',
          content: logLines('bfcl-multiple.jsonl', 0, 12),
        });
        await t.platform.datasets.registerDataset(tools);
        await t.platform.datasets.uploadFile(chat, {
          path: 'eval_data.jsonl',
          content: logLines('gsm8k-chat.jsonl', 0, 8),
        });
        await t.platform.datasets.uploadFile(chat, {
          path: 'training/train_data.jsonl',
          content: logLines('gsm8k-chat.jsonl', 8, 40),
        });
        await t.platform.datasets.registerDataset(chat);
      });
    });

    describe('DeploymentClient', () => {
      it('deploys (or finds) the candidate and waits until it is served', async () => {
        const d = await t.platform.deployments.deploy({ model: SMALL_MODEL, gpus: 1 });
        expect(['pending', 'running', 'succeeded']).toContain(d.status);
        const ready = await t.platform.deployments.waitUntilReady(SMALL_MODEL, FAST_WAIT);
        expect(ready).toMatchObject({ model: SMALL_MODEL, deployed: true, status: 'succeeded' });
        expect(await t.platform.deployments.listServedModels()).toContain(SMALL_MODEL);
      });

      it('reuses a live deployment instead of failing or re-creating it', async () => {
        const again = await t.platform.deployments.deploy({ model: SMALL_MODEL, gpus: 1 });
        expect(again).toMatchObject({ model: SMALL_MODEL, deployed: true });
      });

      it('answers null for a model it does not know', async () => {
        expect(await t.platform.deployments.get('acme/never-deployed-1b')).toBeNull();
      });
    });

    describe('ChatClient', () => {
      it('completes a tool-calling request with usage and latency', async () => {
        const record = JSON.parse(logLines('bfcl-multiple.jsonl', 0, 1)) as {
          request: { messages: never; tools: never };
        };
        const out = await t.platform.chat(SMALL_MODEL).complete({
          model: SMALL_MODEL,
          messages: record.request.messages,
          tools: record.request.tools,
          tool_choice: 'required',
        });
        expect(out.toolCalls.length).toBeGreaterThan(0);
        expect(out.toolCalls[0]?.function.name).toEqual(expect.any(String));
        expect(out.usage.totalTokens).toBeGreaterThan(0);
        expect(out.latencyMs).toBeGreaterThanOrEqual(0);
      });

      it('completes a plain chat request', async () => {
        const out = await t.platform
          .chat(SMALL_MODEL)
          .complete({ model: SMALL_MODEL, messages: [{ role: 'user', content: 'What is 2 + 2?' }] });
        expect(out.content).toEqual(expect.any(String));
        expect(out.toolCalls).toEqual([]);
      });

      it('fails with a typed error naming the call for a model that is not served', async () => {
        const err = await t.platform
          .chat('acme/not-served')
          .complete({ model: 'acme/not-served', messages: [{ role: 'user', content: 'hi' }] })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PlatformError);
        expect((err as Error).message).toMatch(/chatCompletion failed: HTTP 404/);
      });
    });

    describe('EmbeddingClient', () => {
      it('embeds texts in order, similar texts nearer than unrelated ones', async () => {
        const [a, b, c] = await t.platform.embeddings!.embed({
          model: EMBEDDING_MODEL,
          texts: ['book a flight to Paris', 'book a flight to Rome', 'integrate x squared from 0 to 3'],
          inputType: 'query',
        });
        const dot = (x: number[], y: number[]): number => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
        expect(a!.length).toBe(b!.length);
        expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
      });

      it('batches beyond 32 inputs', async () => {
        const texts = Array.from({ length: 70 }, (_, i) => `text number ${i}`);
        const vectors = await t.platform.embeddings!.embed({ model: EMBEDDING_MODEL, texts });
        expect(vectors).toHaveLength(70);
      });
    });

    describe('EvaluationClient', () => {
      it('evaluates tool calling: the three blueprint metrics in 0–1', async () => {
        const job = await t.platform.evaluation.createJob({
          kind: 'tool-calling',
          model: SMALL_MODEL,
          dataset: tools,
          judge: t.judge,
        });
        expect(job.id).toEqual(expect.any(String));
        const done = await t.platform.evaluation.waitForCompletion(job.id, FAST_WAIT);
        expect(done.status).toBe('succeeded');
        const results = await t.platform.evaluation.getResults(job.id);
        for (const metric of [
          'function_name_accuracy',
          'function_name_and_args_accuracy',
          'tool_calling_correctness',
        ] as const) {
          expect(results.scores[metric]).toBeGreaterThanOrEqual(0);
          expect(results.scores[metric]).toBeLessThanOrEqual(1);
        }
        expect(results.scores.function_name_accuracy).toBeGreaterThanOrEqual(
          results.scores.function_name_and_args_accuracy!,
        );
        expect(results.sampleCount).toBe(12);
        // Per-sample results: one per record, in order, whose means are the aggregate scores.
        expect(results.samplesUnavailable).toBeNull();
        expect(results.samples.map((s) => s.index)).toEqual([...Array(12).keys()]);
        for (const s of results.samples) {
          expect(s.usage.totalTokens).toBeGreaterThan(0);
          expect(s.prediction.toolCalls.length).toBeGreaterThan(0);
          if (t.sampleLatency) expect(s.latencyMs).toBeGreaterThanOrEqual(0);
          else expect(s.latencyMs).toBeNull();
        }
        const mean = (m: 'function_name_and_args_accuracy' | 'tool_calling_correctness'): number =>
          results.samples.reduce((n, s) => n + (s.scores[m] ?? 0), 0) / results.samples.length;
        expect(mean('function_name_and_args_accuracy')).toBeCloseTo(results.scores.function_name_and_args_accuracy!, 6);
        expect(mean('tool_calling_correctness')).toBeCloseTo(results.scores.tool_calling_correctness!, 6);
        await t.platform.evaluation.deleteJob(job.id);
      });

      it('evaluates generic chat: similarity in 1–10, honouring limit', async () => {
        const job = await t.platform.evaluation.createJob({
          kind: 'generic',
          model: SMALL_MODEL,
          dataset: chat,
          judge: t.judge,
          limit: 5,
        });
        await t.platform.evaluation.waitForCompletion(job.id, FAST_WAIT);
        const results = await t.platform.evaluation.getResults(job.id);
        expect(results.scores.similarity).toBeGreaterThanOrEqual(1);
        expect(results.scores.similarity).toBeLessThanOrEqual(10);
        expect(results.sampleCount).toBe(5);
        expect(results.samples).toHaveLength(5);
        expect(
          results.samples.every((s) => typeof s.prediction.content === 'string' && s.scores.similarity! >= 1),
        ).toBe(true);
      });

      it('rejects an unknown job with a typed error', async () => {
        await expect(t.platform.evaluation.getJob('eval-does-not-exist')).rejects.toBeInstanceOf(PlatformError);
      });
    });

    describe('CustomizationClient', () => {
      it('fine-tunes, or says plainly that it cannot', async () => {
        const configSpec = { baseModel: SMALL_MODEL, target: `${SMALL_MODEL}@2.0`, gpus: 1 };
        if (!t.customization) {
          await expect(t.platform.customization.ensureConfig(configSpec)).rejects.toBeInstanceOf(
            PlatformUnsupportedError,
          );
          await expect(t.platform.customization.cancelJob('x')).rejects.toBeInstanceOf(PlatformUnsupportedError);
          return;
        }
        const config = await t.platform.customization.ensureConfig(configSpec);
        expect(await t.platform.customization.ensureConfig(configSpec)).toEqual(config);
        const job = await t.platform.customization.createJob({
          runId: 'contract-1',
          workloadId: 'agent.math_tutor',
          baseModel: SMALL_MODEL,
          config,
          dataset: chat,
          hyperparameters: {
            trainingType: 'sft',
            finetuningType: 'lora',
            epochs: 2,
            batchSize: 8,
            learningRate: 1e-4,
            lora: { adapterDim: 32, adapterDropout: 0.1 },
          },
        });
        const done = await t.platform.customization.waitForCompletion(job.id, FAST_WAIT);
        expect(done).toMatchObject({
          status: 'succeeded',
          progress: 100,
          epochsCompleted: 2,
          outputModel: job.outputModel,
        });
        expect(done.stepsCompleted).toBe(2 * Math.ceil(32 / 8));
        expect(await t.platform.deployments.listServedModels()).toContain(job.outputModel);
        await t.platform.customization.deleteModel(job.outputModel);
        await t.platform.customization.deleteModel(job.outputModel); // missing is fine
        await t.platform.customization.deleteConfig(config);
      });
    });
  });
}
