/**
 * An IIN typed on a phone: digits only on the keyboard, what is wrong said as it is typed (an impossible birth date
 * from the 7th digit on, a wrong check digit at the 12th), and, once valid and left, shown masked to anyone looking
 * over the coordinator's shoulder. The full number stays only in the form's state until it is sent.
 */
import { PasswordInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { iinProblem } from '../lib/iin';

export function IinInput({
  label,
  value,
  onChange,
  error,
  required,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  required?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const problem = value ? iinProblem(value, true) : null;
  const [focused, setFocused] = useState(false);
  const [shown, setShown] = useState(false);
  // Visible while typed or asked for; hidden once a valid number is left.
  const visible = focused || shown || iinProblem(value) !== null;
  return (
    <PasswordInput
      visible={visible}
      onVisibilityChange={setShown}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        setShown(false);
      }}
      label={label}
      required={required}
      inputMode="numeric"
      autoComplete="off"
      maxLength={14}
      value={value}
      data-testid={testId}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={(problem && t(`iin.${problem}`)) || error || undefined}
      visibilityToggleButtonProps={{ 'aria-label': t('iin.show') }}
    />
  );
}
