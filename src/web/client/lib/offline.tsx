/**
 * Connection state and the offline queue for the screens: `submit()` sends a request now or, when the server cannot
 * be reached, queues it with its Idempotency-Key; the queue is sent when the browser says it is online again, and
 * every 20 seconds while something waits (a browser's "online" is only a hint: a tablet on a gym's wifi may have
 * no route out). The header shows how many requests wait.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, newIdempotencyKey } from './api';
import { useAuth } from './auth';
import { enqueue, flushQueue, listQueued, type QueuedKind, type QueuedRequest, subscribe } from './queue';

const RETRY_MS = 20_000;

/**
 * Whether the server answers at all (any status: it is there). `navigator.onLine` is only a hint, and a page opened
 * from the offline copy may start with it true while nothing can be reached. `/health` is never served by the
 * service worker (public/sw.js).
 */
async function serverAnswers(): Promise<boolean> {
  if (!navigator.onLine) return false;
  try {
    await fetch('/health', { cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

export interface Submission {
  kind: QueuedKind;
  method: 'POST' | 'PATCH';
  path: string;
  body: unknown;
  summary: string;
}

export type SubmitOutcome<T> = { queued: false; response: T } | { queued: true; entry: QueuedRequest };

interface OfflineState {
  online: boolean;
  queued: QueuedRequest[];
  submit<T>(submission: Submission): Promise<SubmitOutcome<T>>;
  flush(): Promise<void>;
}

const OfflineContext = createContext<OfflineState | null>(null);

export function OfflineProvider({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  const userId = me?.user?.id ?? null;
  const queryClient = useQueryClient();
  const [online, setOnline] = useState(() => navigator.onLine);
  const [queued, setQueued] = useState<QueuedRequest[]>([]);

  const refresh = useCallback(() => {
    listQueued()
      .then(setQueued)
      .catch(() => setQueued([]));
  }, []);

  const flush = useCallback(async () => {
    const reachable = await serverAnswers();
    if (!userId) {
      setOnline(reachable);
      return;
    }
    const result = await flushQueue(userId);
    if (result.sent.length) await queryClient.invalidateQueries();
    setOnline(reachable && !result.interrupted && navigator.onLine);
  }, [userId, queryClient]);

  useEffect(() => {
    refresh();
    return subscribe(refresh);
  }, [refresh]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      void flush();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    void flush();
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [flush]);

  const waiting = queued.some((entry) => !entry.failure && entry.userId === userId);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void flush(), RETRY_MS);
    return () => clearInterval(timer);
  }, [waiting, flush]);

  const submit = useCallback(
    async <T,>(submission: Submission): Promise<SubmitOutcome<T>> => {
      if (!userId) throw new ApiError('UNAUTHENTICATED', 'Not signed in', 401);
      const key = newIdempotencyKey();
      const queue = async (): Promise<SubmitOutcome<T>> => {
        setOnline(false);
        return { queued: true, entry: await enqueue({ key, userId, ...submission }) };
      };
      if (!navigator.onLine) return queue();
      try {
        const response = await api<T>(submission.path, {
          method: submission.method,
          body: submission.body,
          idempotencyKey: key,
        });
        setOnline(true);
        return { queued: false, response };
      } catch (error) {
        // Sent but unanswered, or never sent: the queue retries with the same key, so the server does it once.
        if (error instanceof ApiError && (error.isNetwork || error.status >= 502)) return queue();
        throw error;
      }
    },
    [userId],
  );

  const value = useMemo<OfflineState>(
    () => ({ online, queued: queued.filter((entry) => entry.userId === userId), submit, flush }),
    [online, queued, userId, submit, flush],
  );
  return <OfflineContext.Provider value={value}>{children}</OfflineContext.Provider>;
}

export function useOffline(): OfflineState {
  const state = useContext(OfflineContext);
  if (!state) throw new Error('useOffline outside OfflineProvider');
  return state;
}
