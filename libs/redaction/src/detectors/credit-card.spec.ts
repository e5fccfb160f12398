import { isCardNumber, luhnValid } from './credit-card';

describe('Luhn', () => {
  it.each([
    ['4111111111111111', true],
    ['79927398713', true],
    ['4111111111111112', false],
    ['0', true],
    ['12a4', false],
  ])('luhnValid(%s) is %s', (digits, valid) => {
    expect(luhnValid(digits)).toBe(valid);
  });

  it.each([
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1111', true],
    ['4111 1111-1111 1111', false],
    ['1111111111111117', false],
    ['411111111111', false],
    ['4111111111111111111111', false],
  ])('isCardNumber(%s) is %s', (candidate, valid) => {
    expect(isCardNumber(candidate)).toBe(valid);
  });
});
