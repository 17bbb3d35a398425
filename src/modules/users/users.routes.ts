/** User administration, for admins ('users:manage'). A user's own view of itself is GET /auth/me. */
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './users.schemas';
import * as users from './users.service';

export function userRoutes(): RouteDefinition[] {
  return [
    route('GET /users', {
      summary: 'List users',
      access: 'users:manage',
      schemas: schemas.listUsersSchemas,
      run: ({ query, actor }) => users.listUsers(query, actor),
    }),
    route('GET /users/:id', {
      summary: 'Get a user',
      access: 'users:manage',
      schemas: schemas.userIdSchemas,
      run: ({ params, actor }) => users.getUser(params.id, actor),
    }),
    route('POST /users', {
      summary: 'Create a user with roles and an initial password (at least 12 characters)',
      access: 'users:manage',
      schemas: schemas.createUserSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => users.createUser(body, actor),
    }),
    route('PATCH /users/:id', {
      summary: "Change a user's name, roles, organisation or password (a new password ends its sessions)",
      access: 'users:manage',
      schemas: schemas.updateUserSchemas,
      run: ({ params, body, actor }) => users.updateUser(params.id, body, actor),
    }),
    route('POST /users/:id/deactivate', {
      summary: 'Deactivate a user: its sessions end at once and it can no longer log in',
      access: 'users:manage',
      schemas: schemas.userIdSchemas,
      run: ({ params, actor }) => users.deactivateUser(params.id, actor),
    }),
    route('POST /users/:id/reactivate', {
      summary: 'Reactivate a user',
      access: 'users:manage',
      schemas: schemas.userIdSchemas,
      run: ({ params, actor }) => users.reactivateUser(params.id, actor),
    }),
  ];
}
