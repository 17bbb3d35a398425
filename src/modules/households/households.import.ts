/**
 * A household as a CSV import gives it: validated exactly as the API's registration (the same Joi schema, then the
 * same checks of the service), so an imported family meets the rules a typed one does. Errors name the input's
 * fields (`head.iin`, `members[1].birthDate`); the import maps them to its columns. Messages never quote a value.
 */
import type { FieldError } from '../../core/errors';
import type { Actor } from '../access';
import { registerHouseholdSchemas } from './households.schemas';
import { type HouseholdInput, registrationErrors } from './households.service';

/** Messages that would otherwise quote the value (a malformed IIN, a name), said without it. */
const WITHOUT_VALUES = {
  'string.pattern.base': '{{#label}} is not in the expected format',
  'any.only': '{{#label}} must be one of {{#valids}}',
  'date.base': '{{#label}} must be a date (YYYY-MM-DD or DD.MM.YYYY)',
};

export async function checkHouseholdInput(
  raw: unknown,
  actor: Actor,
): Promise<{ value: HouseholdInput | null; errors: FieldError[] }> {
  const { value, error } = registerHouseholdSchemas.body.validate(raw, {
    abortEarly: false,
    convert: true,
    messages: WITHOUT_VALUES,
  });
  if (error) {
    return {
      value: null,
      errors: error.details.map((d) => ({ field: d.path.join('.'), message: d.message, type: d.type })),
    };
  }
  const errors = await registrationErrors(value as HouseholdInput, actor);
  return { value: errors.length ? null : (value as HouseholdInput), errors };
}
