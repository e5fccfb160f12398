import { functionNameAccuracy, functionNameAndArgsAccuracy } from './tool-call-metrics';

const call = (name: string, args: unknown): { function: { name: string; arguments: unknown } } => ({
  function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});

describe('tool-call metrics (hand-built cases)', () => {
  const gt = [call('get_weather', { city: 'Paris', days: 3, units: { temp: 'C', wind: 'kmh' } })];

  it('exact match scores 1 on both', () => {
    expect(functionNameAccuracy(gt, gt)).toBe(1);
    expect(functionNameAndArgsAccuracy(gt, gt)).toBe(1);
  });

  it('argument order and whitespace do not matter', () => {
    const pred = [call('get_weather', '{ "units": {"wind":"kmh","temp":"C"},  "days": 3, "city": "Paris" }')];
    expect(functionNameAndArgsAccuracy(gt, pred)).toBe(1);
  });

  it('numeric vs string is a mismatch; 3 and 3.0 are the same number', () => {
    expect(
      functionNameAndArgsAccuracy(gt, [
        call('get_weather', { city: 'Paris', days: '3', units: { temp: 'C', wind: 'kmh' } }),
      ]),
    ).toBe(0);
    expect(
      functionNameAndArgsAccuracy(gt, [
        call('get_weather', '{"city":"Paris","days":3.0,"units":{"temp":"C","wind":"kmh"}}'),
      ]),
    ).toBe(1);
  });

  it('nested objects compare deeply', () => {
    expect(
      functionNameAndArgsAccuracy(gt, [
        call('get_weather', { city: 'Paris', days: 3, units: { temp: 'F', wind: 'kmh' } }),
      ]),
    ).toBe(0);
  });

  it('a missing argument or an extra argument is a mismatch, the name still matches', () => {
    const missing = [call('get_weather', { city: 'Paris', units: { temp: 'C', wind: 'kmh' } })];
    const extra = [call('get_weather', { city: 'Paris', days: 3, units: { temp: 'C', wind: 'kmh' }, lang: 'fr' })];
    expect(functionNameAndArgsAccuracy(gt, missing)).toBe(0);
    expect(functionNameAndArgsAccuracy(gt, extra)).toBe(0);
    expect(functionNameAccuracy(gt, missing)).toBe(1);
    expect(functionNameAccuracy(gt, extra)).toBe(1);
  });

  it('arrays keep their order', () => {
    const a = [call('f', { xs: [1, 2] })];
    expect(functionNameAndArgsAccuracy(a, [call('f', { xs: [2, 1] })])).toBe(0);
  });

  it('a wrong name, no call, extra calls or unparseable arguments score 0', () => {
    expect(functionNameAccuracy(gt, [call('get_forecast', { city: 'Paris' })])).toBe(0);
    expect(functionNameAccuracy(gt, [])).toBe(0);
    expect(functionNameAccuracy(gt, [...gt, ...gt])).toBe(0);
    expect(functionNameAndArgsAccuracy(gt, [call('get_weather', '{not json')])).toBe(0);
  });

  it('several calls match regardless of their order; double-encoded arguments are accepted', () => {
    const two = [call('a', { x: 1 }), call('b', { y: 2 })];
    expect(
      functionNameAndArgsAccuracy(two, [call('b', JSON.stringify(JSON.stringify({ y: 2 }))), call('a', { x: 1 })]),
    ).toBe(1);
  });
});
