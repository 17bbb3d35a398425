import Joi from 'joi';
import { AppError, notFound } from '../core/errors';
import type { RouteDefinition } from '../http/route-registry';
import { scheduler } from './index';

const nameParams = Joi.object({
  name: Joi.string()
    .trim()
    .pattern(/^[a-z][a-z0-9-]{0,63}$/)
    .required(),
});

export function jobRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/jobs',
      summary: 'Scheduled jobs: schedule, next occurrence and latest runs',
      tag: 'jobs',
      access: 'jobs:manage',
      handler: async (_req, res) => {
        const s = scheduler();
        const data = await Promise.all(
          s.names().map(async (name) => {
            const job = s.job(name);
            return {
              name,
              description: job?.description,
              schedule: job ? s.scheduleOf(job) : null,
              runs: (await s.recentRuns(name, 5)).map(({ _id, ...run }) => ({ id: _id, ...run })),
            };
          }),
        );
        res.json({ data });
      },
    },
    {
      method: 'post',
      path: '/jobs/:name/run',
      summary: 'Run a job now (409 when a run of it is in progress anywhere)',
      tag: 'jobs',
      access: 'jobs:manage',
      schemas: { params: nameParams },
      handler: async (_req, res) => {
        const s = scheduler();
        const name: string = res.locals.input.params.name;
        if (!s.job(name)) throw notFound('Job', name);
        const outcome = await s.runNow(name);
        if (!outcome.ran) throw new AppError('CONFLICT', `Job ${name} is already running`, { name });
        const { _id, ...run } = outcome.run;
        res.json({ id: _id, ...run });
      },
    },
  ];
}
