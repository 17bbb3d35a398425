import Joi from 'joi';
import { AppError, notFound } from '../core/errors';
import { type RouteDefinition, route } from '../http/route-registry';
import { scheduler } from './index';
import type { JobRunRecord } from './lease';

const nameParams = Joi.object<{ name: string }>({
  name: Joi.string()
    .trim()
    .pattern(/^[a-z][a-z0-9-]{0,63}$/)
    .required(),
});

const runDto = ({ _id, ...run }: JobRunRecord) => ({ id: _id, ...run });

export function jobRoutes(): RouteDefinition[] {
  return [
    route('GET /jobs', {
      summary: 'Scheduled jobs: schedule and latest runs',
      access: 'jobs:manage',
      run: async () => {
        const s = scheduler();
        const data = await Promise.all(
          s.names().map(async (name) => {
            const job = s.job(name);
            return {
              name,
              description: job?.description,
              schedule: job ? s.scheduleOf(job) : null,
              runs: (await s.recentRuns(name, 5)).map(runDto),
            };
          }),
        );
        return { data };
      },
    }),
    route('POST /jobs/:name/run', {
      summary: 'Run a job now (409 when a run of it is in progress anywhere)',
      access: 'jobs:manage',
      schemas: { params: nameParams },
      run: async ({ params }) => {
        const s = scheduler();
        if (!s.job(params.name)) throw notFound('Job', params.name);
        const outcome = await s.runNow(params.name);
        if (!outcome.ran)
          throw new AppError('CONFLICT', `Job ${params.name} is already running`, { name: params.name });
        return runDto(outcome.run);
      },
    }),
  ];
}
