/**
 * API errors next to the field they name, in the user's language. The API names fields by Joi's path
 * ("lines[2].quantity"); Mantine's form names them "lines.2.quantity". The message is chosen from the error's Joi
 * type when we have a translation for it, else the server's own words (English) rather than nothing.
 */
import type { TFunction } from 'i18next';
import type { ApiError, FieldError } from './api';

export function formPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1');
}

export function fieldMessage(error: FieldError, t: TFunction): string {
  const type = error.type;
  if (type === 'any.required' || type === 'string.empty' || type === 'any.invalid') return t('validation.required');
  if (type === 'string.email') return t('validation.email');
  if (type === 'string.max' || type === 'array.max') return t('validation.tooLong');
  if (type === 'number.greater' || type === 'number.positive') return t('validation.positive');
  if (type === 'alternatives.match' || type === 'string.pattern.base' || type === 'number.base')
    return t('validation.decimal');
  return error.message.replace(/^"[^"]*" /, '');
}

/**
 * The form's errors for an API answer: { "lines.0.quantity": "Must be more than 0", ... }. `rename` maps the API's
 * path (in the form's notation) to the form's field where the form is shaped differently from the request.
 */
export function formErrorsOf(
  error: ApiError,
  t: TFunction,
  rename: (path: string) => string = (path) => path,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const fieldError of error.fieldErrors) errors[rename(formPath(fieldError.field))] = fieldMessage(fieldError, t);
  return errors;
}

/** The error as one line for a banner, in the user's language. */
export function errorText(error: unknown, t: TFunction): string {
  const code = (error as ApiError | undefined)?.code;
  if (code === 'NETWORK') return t('errors.network');
  const known = code ? t(`errors.codes.${code}` as 'errors.codes.INTERNAL', { defaultValue: '' }) : '';
  return known || t('errors.generic');
}
