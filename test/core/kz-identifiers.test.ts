import { hasValidKzCheckDigit, isValidBin, isValidIin, kzCheckDigit } from '../../src/core/kz-identifiers';

// Numbers built by hand from the algorithm in shared/DOMAIN.md:
//   1403400012|3 : 1·1+4·2+0·3+3·4+4·5+0·6+0·7+0·8+1·9+2·10+3·11 = 103, 103 mod 11 = 4        → 140340001234
//   9010130003|0 : first weights give 65 mod 11 = 10; weights 3..11,1,2 give 66 mod 11 = 0      → 901013000300
//   9010130003|5 : first weights give 120 mod 11 = 10; second weights give 76 mod 11 = 10        → no check digit
//   9001013000|1 : 9+4+6+21+11 = 51, 51 mod 11 = 7 (born 1990-01-01, digit 7 = 3: 20th century) → 900101300017

describe('kzCheckDigit', () => {
  test('when the first weighted sum is below 10, then it is the check digit', () => {
    expect(kzCheckDigit('14034000123')).toBe(4);
  });

  test('when the first weighted sum is 10, then the second weights give the check digit', () => {
    expect(kzCheckDigit('90101300030')).toBe(0);
  });

  test('when both weighted sums are 10, then no check digit exists', () => {
    expect(kzCheckDigit('90101300035')).toBeNull();
  });
});

describe('isValidBin', () => {
  test.each(['140340001234', '901013000300'])('when %s carries its check digit, then it is valid', (bin) => {
    expect(isValidBin(bin)).toBe(true);
  });

  test.each([
    ['140340001235', 'a wrong check digit'],
    ['901013000301', 'a wrong digit after the second weighting'],
    ['901013000350', 'a number whose check digit cannot exist (both sums 10)'],
    ['14034000123', 'eleven digits'],
    ['1403400012345', 'thirteen digits'],
    ['14034000123a', 'a letter'],
    [' 140340001234', 'surrounding spaces'],
    ['', 'an empty string'],
  ])('when given %s (%s), then it is invalid', (bin) => {
    expect(isValidBin(bin)).toBe(false);
  });
});

describe('isValidIin', () => {
  test('when the checksum, the century digit and the birth date are right, then it is valid', () => {
    expect(isValidIin('900101300017')).toBe(true);
  });

  test('when the check digit is wrong, then it is invalid', () => {
    expect(isValidIin('900101300018')).toBe(false);
  });

  test('when the birth date does not exist (month 13), then it is invalid even with a right checksum', () => {
    // 9·1+0+1·3+3·4+0+1·6+3·7+0+0+0+1·11 = 62, 62 mod 11 = 7
    expect(hasValidKzCheckDigit('901301300017')).toBe(true);
    expect(isValidIin('901301300017')).toBe(false);
  });
});
