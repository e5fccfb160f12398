import { SimulatorConfigError, loadCliConfig } from './cli-config';

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
    expect(() => loadCliConfig({ delays: '{"deploymentMs": -1}' }, {})).toThrow(/delays.deploymentMs/);
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
      'SIMULATOR_PORT: Expected number, received nan',
      'gpuCapacity: Expected number, received nan',
      'latencyScale: Number must be greater than or equal to 0',
    ]);
  });
});
