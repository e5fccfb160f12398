// The flywheel's platform steps in order, through the public ports only: upload eval and training data, deploy
// the small model, LoRA-fine-tune it, evaluate base, customized and teacher. Run against the simulator (tests,
// `rehearse-main.ts`) it shows the expected ordering: fine-tuned small model ≈ teacher ≫ base small model.
import { type EvaluationSpec, type Platform, type Scores, type WaitOptions, slug } from '@flywheel/platform-clients';
import { TEACHER_MODEL } from './options';

export interface RehearsalInput {
  /** JSONL lines `{request, response}` of one tool-calling workload; the first `evalRecords` are the eval split. */
  records: readonly string[];
  evalRecords?: number;
  namespace?: string;
  smallModel?: string;
  teacherModel?: string;
  runId?: string;
  epochs?: number;
  wait?: WaitOptions;
  /** One line per step, for a console. */
  onStep?: (message: string) => void;
}

export interface RehearsalResult {
  outputModel: string;
  trainingRecords: number;
  evalRecords: number;
  base: Scores;
  customized: Scores;
  teacher: Scores;
}

export async function rehearse(platform: Platform, input: RehearsalInput): Promise<RehearsalResult> {
  const ns = input.namespace ?? 'dfwbp';
  const small = input.smallModel ?? 'meta/llama-3.2-1b-instruct';
  const teacher = input.teacherModel ?? TEACHER_MODEL;
  const runId = input.runId ?? 'rehearsal';
  const evalCount = input.evalRecords ?? 100;
  const step = input.onStep ?? ((): void => undefined);
  const evalLines = input.records.slice(0, evalCount);
  const trainLines = input.records.slice(evalCount);
  if (evalLines.length === 0 || trainLines.length === 0) {
    throw new Error(`rehearsal needs more than ${evalCount} records (got ${input.records.length})`);
  }
  const dataset = { namespace: ns, name: `rehearsal-${slug(runId)}` };

  step(`upload ${evalLines.length} eval and ${trainLines.length} training records to ${ns}/${dataset.name}`);
  await platform.datasets.ensureNamespace(ns);
  await platform.datasets.uploadFile(dataset, { path: 'eval_data.jsonl', content: evalLines.join('\n') });
  await platform.datasets.uploadFile(dataset, { path: 'training/train_data.jsonl', content: trainLines.join('\n') });
  await platform.datasets.registerDataset(dataset, { description: 'flywheel rehearsal' });

  step(`deploy ${small}`);
  await platform.deployments.deploy({ model: small, gpus: 1 });
  await platform.deployments.waitUntilReady(small, input.wait);

  step(`fine-tune ${small} (LoRA, ${input.epochs ?? 2} epochs)`);
  const config = await platform.customization.ensureConfig({ baseModel: small, target: `${small}@2.0`, gpus: 1 });
  const job = await platform.customization.createJob({
    runId,
    workloadId: 'rehearsal',
    baseModel: small,
    config,
    dataset,
    hyperparameters: {
      trainingType: 'sft',
      finetuningType: 'lora',
      epochs: input.epochs ?? 2,
      batchSize: 16,
      learningRate: 1e-4,
      lora: { adapterDim: 32, adapterDropout: 0.1 },
    },
  });
  const trained = await platform.customization.waitForCompletion(job.id, input.wait);

  const evaluate = async (model: string, label: string): Promise<Scores> => {
    step(`evaluate ${label} ${model}`);
    const spec: EvaluationSpec = { kind: 'tool-calling', model, dataset, judge: { kind: 'platform', model: teacher } };
    const created = await platform.evaluation.createJob(spec);
    await platform.evaluation.waitForCompletion(created.id, input.wait);
    return (await platform.evaluation.getResults(created.id)).scores;
  };
  return {
    outputModel: trained.outputModel,
    trainingRecords: trainLines.length,
    evalRecords: evalLines.length,
    base: await evaluate(small, 'base'),
    customized: await evaluate(trained.outputModel, 'customized'),
    teacher: await evaluate(teacher, 'teacher'),
  };
}

/** What is off in a rehearsal's ordering (fine-tuned ≈ teacher, base well below), by name+args accuracy. */
export function orderingProblems(r: RehearsalResult): string[] {
  const m = 'function_name_and_args_accuracy';
  const [base, customized, teacher] = [r.base[m] ?? 0, r.customized[m] ?? 0, r.teacher[m] ?? 0];
  const problems: string[] = [];
  if (customized - base < 0.2) problems.push(`fine-tuning gained only ${(customized - base).toFixed(2)} over base`);
  if (teacher - customized > 0.15) problems.push(`fine-tuned is ${(teacher - customized).toFixed(2)} below teacher`);
  return problems;
}
