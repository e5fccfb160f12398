import { ok } from './reply';
import { Router } from './router';

describe('Router', () => {
  const router = new Router()
    .add('GET', '/v1/models', () => ok('list'))
    .add('GET', '/v1/models/:ns/:name', () => ok('one'))
    .add('GET', '/v1/hf/datasets/:ns/:name/resolve/:rev/*path', () => ok('file'));

  it('matches segments and rest paths, and tells 404 from 405', () => {
    expect(router.match('GET', '/v1/models/dfwbp/m1')).toMatchObject({ params: { ns: 'dfwbp', name: 'm1' } });
    expect(router.match('GET', '/v1/hf/datasets/a/b/resolve/main/training/x.jsonl')).toMatchObject({
      params: { ns: 'a', name: 'b', rev: 'main', path: 'training/x.jsonl' },
    });
    expect(router.match('POST', '/v1/models')).toBe('method-not-allowed');
    expect(router.match('GET', '/v1/customizations/1/cancel')).toBeNull();
  });
});
