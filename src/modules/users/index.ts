/**
 * The users module's face: what other modules may use.
 */
export { MAX_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from './passwords';
export { normaliseEmail, User, type UserRecord } from './users.model';
export { email, password } from './users.schemas';
export {
  checkRolesAndOrganisation,
  createFirstAdmin,
  endSessionsOfOrganisation,
  findActiveUser,
  findUserForLogin,
  recordLogin,
  toUserDto,
  type UserDto,
} from './users.service';
