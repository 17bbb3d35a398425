/**
 * The signed-in user. The token lives in localStorage (a shared warehouse laptop or a tablet stays signed in for
 * the token's lifetime, and work queued offline can still be sent after a reload); sign-out and a 401 forget it.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, loadSession, setUnauthenticatedHandler, storeSession } from './api';
import type { Me, User } from './types';

interface AuthState {
  me: Me | null;
  /** True until the stored session has been checked with the server. */
  checking: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  can(permission: string): boolean;
}

const AuthContext = createContext<AuthState | null>(null);
const ME_KEY = 'asar.me';

/** Who signed in last on this device, so that a start without a connection still knows the user. */
function cachedMe(): Me | null {
  if (!loadSession()) return null;
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Me | null;
  } catch {
    return null;
  }
}

function remember(me: Me | null): void {
  if (me) localStorage.setItem(ME_KEY, JSON.stringify(me));
  else localStorage.removeItem(ME_KEY);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMeState] = useState<Me | null>(cachedMe);
  const [checking, setChecking] = useState(() => loadSession() !== null && cachedMe() === null);
  const setMe = useCallback((next: Me | null) => {
    remember(next);
    setMeState(next);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      storeSession(null);
      setMe(null);
    });
    if (!loadSession()) return;
    api<Me>('/auth/me')
      .then(setMe)
      .catch(() => {
        // Offline at start: keep the stored session; the screens show what they cannot load.
      })
      .finally(() => setChecking(false));
  }, [setMe]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const answer = await api<{ token: string; expiresAt: string; user: User }>('/auth/login', {
        method: 'POST',
        body: { email, password },
      });
      storeSession({ token: answer.token, expiresAt: answer.expiresAt });
      setMe(await api<Me>('/auth/me'));
    },
    [setMe],
  );

  const signOut = useCallback(async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => {});
    storeSession(null);
    setMe(null);
  }, [setMe]);

  const value = useMemo<AuthState>(
    () => ({
      me,
      checking,
      signIn,
      signOut,
      can: (permission) => me?.permissions.includes(permission) ?? false,
    }),
    [me, checking, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
