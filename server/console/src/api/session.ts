import { useQuery, type QueryClient } from '@tanstack/react-query';
import { consoleSessionResponseSchema, type ConsoleAction, type ConsoleSessionResponse, type StaffMe } from '@blindbox/shared';
import { ConsoleApiError, request, setCsrfToken } from './client';

export const SESSION_KEY = ['session'] as const;

/** The signed-in staff member, or null when there is no session (the login page's business). */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<ConsoleSessionResponse | null> => {
      try {
        return rememberSession(await request('GET', '/auth/me', consoleSessionResponseSchema));
      } catch (error) {
        if (error instanceof ConsoleApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

export function rememberSession(session: ConsoleSessionResponse): ConsoleSessionResponse {
  setCsrfToken(session.csrfToken);
  return session;
}

/** After login, password change, TOTP confirmation: the answer is the new session. */
export function storeSession(client: QueryClient, session: ConsoleSessionResponse | null): void {
  setCsrfToken(session?.csrfToken ?? null);
  client.setQueryData(SESSION_KEY, session);
  if (!session) client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
}

/** The signed-in member inside the app shell (which renders only with a session). */
export function useMe(): StaffMe {
  const { data } = useSession();
  if (!data) throw new Error('useMe outside a session');
  return data.staff;
}

/** Whether the role may do this; only for showing buttons — the server checks every request anyway. */
export function useCan(): (action: ConsoleAction) => boolean {
  const me = useMe();
  return (action) => me.permissions.includes(action);
}
