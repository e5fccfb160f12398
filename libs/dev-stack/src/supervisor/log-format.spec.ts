import { formatLogLine } from './log-format';

describe('formatLogLine', () => {
  it('pads the source so interleaved services line up, and marks supervisor notes', () => {
    expect(formatLogLine({ source: 'deployer', stream: 'stdout', text: 'ready' })).toBe('deployer           | ready');
    expect(formatLogLine({ source: 'deployer', stream: 'supervisor', text: 'exited with code 1' })).toBe(
      'deployer           | » exited with code 1',
    );
    const ESC = '\u001b';
    const coloured = formatLogLine({ source: 'kafka', stream: 'stdout', text: 'x' }, { colour: true });
    expect(coloured.startsWith(ESC)).toBe(true);
    expect(coloured.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '')).toBe(`kafka${' '.repeat(13)} | x`);
  });
});
