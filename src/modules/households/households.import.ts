/**
 * A household as a CSV import gives it: validated exactly as the API's registration (the same Joi schema, then the
 * same checks of the service), so an imported family meets the rules a typed one does. Errors name the input's
 * fields (`head.iin`, `members[1].birthDate`); the import maps them to its columns. Messages never quote a value.
 */
import type { FieldError } from '../../core/errors';
import type { Actor } from '../access';
import { registerHouseholdSchemas } from './households.schemas';
import { type HouseholdInput, registrationErrorsOf } from './households.service';

/** Messages that would otherwise quote the value (a malformed IIN, a name), said without it. */
const WITHOUT_VALUES = {
  'string.pattern.base': '{{#label}} is not in the expected format',
  'any.only': '{{#label}} must be one of {{#valids}}',
  'date.base': '{{#label}} must be a date (YYYY-MM-DD or DD.MM.YYYY)',
};

/** The registration schema with these options compiled once (passing `messages` per call recompiles them). */
const registrationSchema = registerHouseholdSchemas.body.prefs({
  abortEarly: false,
  convert: true,
  messages: WITHOUT_VALUES,
});

/**
 * Household inputs checked as a registration checks them, a batch at a time: the database is asked once for all
 * of them (their custom criteria). Each answers its converted input, or null with its errors.
 */
export async function checkHouseholdInputs(
  raws: readonly unknown[],
  actor: Actor,
): Promise<{ value: HouseholdInput | null; errors: FieldError[] }[]> {
  const validated = raws.map((raw) => {
    const { value, error } = registrationSchema.validate(raw);
    const errors: FieldError[] = (error?.details ?? []).map((d) => ({
      field: d.path.join('.'),
      message: d.message,
      type: d.type,
    }));
    return { value: error ? null : (value as HouseholdInput), errors };
  });
  const schemaValid = validated.filter((v) => v.value !== null);
  const registration = await registrationErrorsOf(
    schemaValid.map((v) => v.value as HouseholdInput),
    actor,
  );
  schemaValid.forEach((v, i) => {
    const errors = registration[i] as FieldError[];
    if (errors.length) Object.assign(v, { value: null, errors });
  });
  return validated;
}
