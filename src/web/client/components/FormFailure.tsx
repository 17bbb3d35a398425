/**
 * How a form shows the API's refusal: each field error under the field it names, in the reader's language, and one
 * line above the form for the whole answer (or for "the server could not be reached"). A form shaped differently
 * from its request renames the API's paths to its own fields.
 */
import { Alert } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api';
import { errorText, formErrorsOf } from '../lib/field-errors';

/** The API's path (in Mantine's notation, "lines.0.quantity") to the form's field: a table or a function. */
export type FieldRename = Record<string, string> | ((path: string) => string);

interface SettableForm {
  setErrors(errors: Record<string, string>): void;
}

export interface FormFailureState {
  failure: string | null;
  clear(): void;
  show(error: unknown): void;
}

export function useFormFailure(form: SettableForm, rename?: FieldRename): FormFailureState {
  const { t } = useTranslation();
  const [failure, setFailure] = useState<string | null>(null);
  const toField = typeof rename === 'function' ? rename : (path: string) => rename?.[path] ?? path;
  return {
    failure,
    clear: () => setFailure(null),
    show(error) {
      if (error instanceof ApiError) form.setErrors(formErrorsOf(error, t, toField));
      setFailure(errorText(error, t));
    },
  };
}

export function FormFailure({ failure, testId }: { failure: string | null; testId?: string }) {
  if (!failure) return null;
  return (
    <Alert color="red" role="alert" data-testid={testId}>
      {failure}
    </Alert>
  );
}
