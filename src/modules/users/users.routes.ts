/** User administration, for admins ('users:manage'). A user's own view of itself is GET /auth/me. */
import type { RouteDefinition } from '../../http/route-registry';
import { createUserSchemas, listUsersSchemas, updateUserSchemas, userIdSchemas } from './users.schemas';
import { createUser, deactivateUser, getUser, listUsers, reactivateUser, updateUser } from './users.service';

export function userRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/users',
      summary: 'List users',
      access: 'users:manage',
      schemas: listUsersSchemas,
      handler: async (_req, res) => {
        res.json(await listUsers(res.locals.input.query));
      },
    },
    {
      method: 'get',
      path: '/users/:id',
      summary: 'Get a user',
      access: 'users:manage',
      schemas: userIdSchemas,
      handler: async (_req, res) => {
        res.json(await getUser(res.locals.input.params.id));
      },
    },
    {
      method: 'post',
      path: '/users',
      summary: 'Create a user with roles and an initial password (at least 12 characters)',
      access: 'users:manage',
      schemas: createUserSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await createUser(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'patch',
      path: '/users/:id',
      summary: "Change a user's name, roles, organisation or password (a new password ends its sessions)",
      access: 'users:manage',
      schemas: updateUserSchemas,
      handler: async (_req, res) => {
        res.json(await updateUser(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/users/:id/deactivate',
      summary: 'Deactivate a user: its sessions end at once and it can no longer log in',
      access: 'users:manage',
      schemas: userIdSchemas,
      handler: async (_req, res) => {
        res.json(await deactivateUser(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/users/:id/reactivate',
      summary: 'Reactivate a user',
      access: 'users:manage',
      schemas: userIdSchemas,
      handler: async (_req, res) => {
        res.json(await reactivateUser(res.locals.input.params.id, res.locals.actor));
      },
    },
  ];
}
