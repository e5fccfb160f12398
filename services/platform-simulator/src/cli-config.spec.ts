import { type CliFlags, SimulatorConfigError, loadCliConfig } from './cli-config';

describe('loadCliConfig', () => {
  it('takes flags over environment variables over defaults, data dir included', () => {
    expect(loadCliConfig({}, {})).toMatchObject({ port: 8080, gpuCapacity: 8, dataDir: undefined, latencyScale: 1 });
    expect(
      loadCliConfig({ port: '9000' }, { SIMULATOR_PORT: '7000', SIMULATOR_DATA_DIR: '/var/sim', SIMULATOR_GPUS: '2' }),
    ).toMatchObject({ port: 9000, dataDir: '/var/sim', gpuCapacity: 2 });
    expect(loadCliConfig({ dataDir: './here', fast: true }, { SIMULATOR_DATA_DIR: '/var/sim' })).toMatchObject({
      dataDir: './here',
      delays: { deploymentMs: 0, jobStartMs: 0 },
      latencyScale: 0,
    });
  });

  it('takes lifecycle delays as JSON, each unnamed one 0, and names a bad value', () => {
    expect(loadCliConfig({ delays: '{"deploymentMs": 500, "customizationStepMs": 10}' }, {}).delays).toEqual({
      deploymentMs: 500,
      jobStartMs: 0,
      customizationStepMs: 10,
      evaluationSampleMs: 0,
    });
    expect(() => loadCliConfig({ delays: '{deploymentMs' }, {})).toThrow(/--delays: not JSON/);
    expect(() => loadCliConfig({ delays: '{"deploymentMs": -1}' }, {})).toThrow(
      /--delays: deploymentMs: Number must be greater than or equal to 0/,
    );
  });

  it('lists every bad flag and variable at once', () => {
    const err = (() => {
      try {
        loadCliConfig({ gpus: 'many', latencyScale: '-1' }, { SIMULATOR_PORT: 'http' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SimulatorConfigError);
    expect((err as SimulatorConfigError).problems).toEqual([
      'SIMULATOR_PORT: Expected number, received nan (got "http")',
      '--gpus: Expected number, received nan (got "many")',
      '--latency-scale: Number must be greater than or equal to 0 (got "-1")',
    ]);
  });

  it('names the variable a value out of range came from, and lets no bad variable hide another', () => {
    expect(problemsOf({}, { SIMULATOR_PORT: 'eighty', SIMULATOR_GPUS: '-2', SIMULATOR_SEED: '1.5' })).toEqual([
      'SIMULATOR_PORT: Expected number, received nan (got "eighty")',
      'SIMULATOR_SEED: Expected integer, received float (got "1.5")',
      'SIMULATOR_GPUS: Number must be greater than or equal to 0 (got "-2")',
    ]);
    expect(problemsOf({ port: '70000' }, { SIMULATOR_PORT: '1' })).toEqual([
      '--port: Number must be less than or equal to 65535 (got "70000")',
    ]);
  });

  it('treats a blank variable as unset', () => {
    expect(loadCliConfig({}, { SIMULATOR_PORT: ' ', SIMULATOR_DATA_DIR: '' })).toMatchObject({
      port: 8080,
      dataDir: undefined,
    });
  });
});

function problemsOf(flags: CliFlags, env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadCliConfig(flags, env);
  } catch (err) {
    if (err instanceof SimulatorConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a SimulatorConfigError');
}
