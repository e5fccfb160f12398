import { evaluationKindOf, readyEvaluations, type CandidateFacts, type RunFacts } from './evaluation-plan';

const MODEL = 'meta/llama-3.2-1b-instruct';
const built: RunFacts = {
  evalDataset: 'flywheel-eval-run-1',
  workloadType: 'tool_calling',
  iclByModel: { [MODEL]: 'flywheel-icl-run-1-1b' },
  stopped: null,
};
const deployed: CandidateFacts = { deployed: true, customizedModel: null, finished: false };

describe('readyEvaluations (the join of datasets.built, candidate.deployed and customization.completed)', () => {
  it('is empty until both the datasets and the deployment are known', () => {
    expect(readyEvaluations(MODEL, null, deployed)).toEqual([]);
    expect(readyEvaluations(MODEL, { ...built, evalDataset: null }, deployed)).toEqual([]);
    expect(readyEvaluations(MODEL, built, null)).toEqual([]);
    expect(readyEvaluations(MODEL, built, { ...deployed, deployed: false })).toEqual([]);
  });

  it('gives base on the eval dataset and ICL on the model’s own dataset once both are known', () => {
    expect(readyEvaluations(MODEL, built, deployed)).toEqual([
      { evalType: 'base', targetModel: MODEL, datasetName: 'flywheel-eval-run-1', workloadType: 'tool_calling' },
      { evalType: 'icl', targetModel: MODEL, datasetName: 'flywheel-icl-run-1-1b', workloadType: 'tool_calling' },
    ]);
  });

  it('gives no ICL evaluation to a model missing from icl_by_model', () => {
    const other = readyEvaluations('meta/llama-3.1-8b-instruct', built, deployed);
    expect(other.map((e) => e.evalType)).toEqual(['base']);
  });

  it('adds the customized evaluation of the customized model on the eval dataset after customization.completed', () => {
    const ready = readyEvaluations(MODEL, built, { ...deployed, customizedModel: 'dfwbp/customized-1b-run-1' });
    expect(ready.map((e) => [e.evalType, e.targetModel, e.datasetName])).toEqual([
      ['base', MODEL, 'flywheel-eval-run-1'],
      ['icl', MODEL, 'flywheel-icl-run-1-1b'],
      ['customized', 'dfwbp/customized-1b-run-1', 'flywheel-eval-run-1'],
    ]);
  });

  it('needs the deployment for the customized evaluation too (the adapter is served on the base model)', () => {
    const notDeployed = { deployed: false, customizedModel: 'dfwbp/customized-1b-run-1', finished: false };
    expect(readyEvaluations(MODEL, built, notDeployed)).toEqual([]);
  });

  it('starts nothing for a stopped run or a finished candidate', () => {
    for (const stopped of ['cancelled', 'failed', 'deleted'] as const) {
      expect(readyEvaluations(MODEL, { ...built, stopped }, deployed)).toEqual([]);
    }
    expect(readyEvaluations(MODEL, built, { ...deployed, finished: true })).toEqual([]);
  });

  it('treats a workload type it does not know as generic', () => {
    const ready = readyEvaluations(MODEL, { ...built, workloadType: null }, deployed);
    expect(ready[0]?.workloadType).toBe('unknown');
    expect(evaluationKindOf('unknown')).toBe('generic');
    expect(evaluationKindOf('generic')).toBe('generic');
    expect(evaluationKindOf('tool_calling')).toBe('tool-calling');
  });
});
