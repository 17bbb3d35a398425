import Joi from 'joi';
import { email, MAX_PASSWORD_LENGTH } from '../users';

export const loginSchemas = {
  body: Joi.object({
    email: email().required(),
    // No minimum here: a too-short password is simply a wrong one, answered like any other.
    password: Joi.string().min(1).max(MAX_PASSWORD_LENGTH).required(),
  }),
};
