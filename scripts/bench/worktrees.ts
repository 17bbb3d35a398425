/** Other commits' source trees for the A/B benchmarks: temporary git worktrees sharing this checkout's node_modules. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export class Worktrees {
  private readonly made: string[] = [];

  /** The source tree of `commit`: this checkout's working tree for `.`, else a new worktree at the commit. */
  sourceTree(commit: string): string {
    if (commit === '.') return ROOT;
    const worktree = mkdtempSync(path.join(tmpdir(), 'asar-ab-'));
    rmSync(worktree, { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', worktree, commit], { cwd: ROOT, stdio: 'ignore' });
    this.made.push(worktree);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
    return worktree;
  }

  removeAll(): void {
    for (const worktree of this.made.splice(0)) {
      execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    }
  }
}

export const labelOf = (commit: string) => (commit === '.' ? 'this checkout' : commit);
