/** Resumes CSV imports whose runner stopped (the process restarted mid-import) from their last saved row. */
import { resumeStalledImports } from '../modules/imports';
import type { Job } from './job';

export const importsResumeJob: Job = {
  name: 'imports-resume',
  description: 'Resume background CSV imports left unfinished by a stopped process',
  schedule: '* * * * *',
  leaseMs: 5 * 60_000,
  run: () => resumeStalledImports(),
};
