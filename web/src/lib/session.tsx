import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { api, type Schemas } from '../api/client.ts';
import { isExportedSite } from '../config.ts';

type Session = { me: Schemas['Me'] | null; loading: boolean; refresh: () => Promise<void>; signOut: () => Promise<void> };

const SessionContext = createContext<Session>({ me: null, loading: true, refresh: async () => {}, signOut: async () => {} });

/** Who is signed in (GET /api/v1/me), read once and after signing in or out. */
export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [me, setMe] = useState<Schemas['Me'] | null>(null);
  const [loading, setLoading] = useState(!isExportedSite);
  const refresh = useCallback(async () => {
    // An exported site talks to the API without cookies: nobody is ever signed in there.
    if (isExportedSite) return;
    try {
      const { data } = await api.GET('/api/v1/me');
      setMe(data ?? null);
    } catch {
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);
  const signOut = useCallback(async () => {
    await api.POST('/api/v1/auth/sign-out');
    setMe(null);
  }, []);
  useEffect(() => void refresh(), [refresh]);
  return <SessionContext.Provider value={{ me, loading, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
