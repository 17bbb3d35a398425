import { describe, expect, test } from 'vitest';
import { iinBirthDate, iinCheckDigit, iinProblem, maskIin } from '../../../src/web/client/lib/iin';

/** A valid IIN for a birth date and century digit: the check digit computed as the server does. */
function validIin(first11: string): string {
  const check = iinCheckDigit(first11);
  if (check === null) throw new Error('no check digit');
  return `${first11}${check}`;
}

describe('IIN as it is typed', () => {
  const iin = validIin('90050130012');

  test('when a valid IIN is typed, then it is accepted and its birth date read', () => {
    expect(iinProblem(iin)).toBeNull();
    expect(iinProblem(`${iin.slice(0, 6)} ${iin.slice(6)}`)).toBeNull();
    expect(iinBirthDate(iin)).toBe('1990-05-01');
  });

  test('when the check digit is wrong, then it says so', () => {
    const wrong = `${iin.slice(0, 11)}${(Number(iin[11]) + 1) % 10}`;
    expect(iinProblem(wrong)).toBe('checkDigit');
  });

  test('when digits 1-7 make no real date, then it says so before the number is complete', () => {
    expect(iinProblem('9002303', true)).toBe('birthDate');
    expect(iinProblem('9013013', true)).toBe('birthDate');
    expect(iinProblem('9005017', true)).toBe('birthDate');
  });

  test('when fewer than 12 digits are typed, then nothing is wrong yet, but it is incomplete once submitted', () => {
    expect(iinProblem('900501', true)).toBeNull();
    expect(iinProblem('900501')).toBe('incomplete');
    expect(iinProblem('90050a')).toBe('digits');
    expect(iinProblem('9005013001234')).toBe('digits');
  });

  test('when an IIN is shown after entry, then only its last four digits are', () => {
    expect(maskIin(iin)).toBe(`•••••••• ${iin.slice(-4)}`);
    expect(maskIin(iin)).not.toContain(iin.slice(0, 6));
  });
});
