import {
  containerCheckDigit,
  isValidContainerNumber,
  normaliseContainerNumber,
} from '../../../src/modules/shipments/iso6346';

describe('ISO 6346 container numbers', () => {
  test('when the number is the standard’s example, then it is valid', () => {
    expect(isValidContainerNumber('CSQU3054383')).toBe(true);
    expect(containerCheckDigit('CSQU305438')).toBe(3);
  });

  test('when any single digit of the serial is changed, then the check digit catches it', () => {
    for (let position = 4; position < 10; position += 1) {
      for (let digit = 0; digit <= 9; digit += 1) {
        const changed = `CSQU3054383`.split('');
        if (changed[position] === String(digit)) continue;
        changed[position] = String(digit);
        expect(isValidContainerNumber(changed.join(''))).toBe(false);
      }
    }
  });

  test('when one digit is mistyped or two are swapped, then the number is refused', () => {
    expect(isValidContainerNumber('CSQU3054384')).toBe(false);
    expect(isValidContainerNumber('CSQU3045383')).toBe(false);
  });

  test('when the shape is wrong, then the number is refused', () => {
    for (const bad of ['', 'CSQ3054383', 'CSQX3054383', 'CSQU305438', 'CSQU30543833', '1SQU3054383']) {
      expect(isValidContainerNumber(bad)).toBe(false);
    }
  });

  test('spaces, dashes and lower case are accepted and normalised', () => {
    expect(normaliseContainerNumber('csqu 305438-3')).toBe('CSQU3054383');
    expect(isValidContainerNumber('csqu 305438-3')).toBe(true);
  });

  test('a check computed as 10 is written 0', () => {
    // Search a serial whose remainder is 10: the standard maps it to 0 (and advises owners not to use it).
    let found = '';
    for (let serial = 0; serial < 1000 && !found; serial += 1) {
      const first10 = `ABCU${String(serial).padStart(6, '0')}`;
      let sum = 0;
      for (let i = 0; i < 10; i += 1) {
        const c = first10[i] as string;
        const v = /\d/.test(c) ? Number(c) : (({ A: 10, B: 12, C: 13, U: 32 } as Record<string, number>)[c] ?? 0);
        sum += v * 2 ** i;
      }
      if (sum % 11 === 10) found = first10;
    }
    expect(found).not.toBe('');
    expect(containerCheckDigit(found)).toBe(0);
  });
});
