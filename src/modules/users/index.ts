/**
 * The users module's face: what other modules may use.
 */
export { MAX_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from './passwords';
export { normaliseEmail, type UserRecord } from './users.model';
export { email, password } from './users.schemas';
export {
  type AccountHolder,
  checkRolesAndOrganisation,
  createFirstAdmin,
  endSessionsOfOrganisation,
  findAccountHolder,
  findActiveUser,
  findUserForLogin,
  recordLogin,
  toUserDto,
  type UserDto,
} from './users.service';
