import Taro from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { SESSION_CHANGED } from '../api/session';
import { describeError } from '../api/api-error';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Loads once on mount, on `reload()` and when the session changes; an answer that arrives after a newer request started is dropped. */
export function useResource<T>(load: () => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const current = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const value = await loadRef.current();
      if (current === generation.current) setData(value);
    } catch (failure) {
      if (current === generation.current) setError(describeError(failure));
    } finally {
      if (current === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  // Signing in (or out, or binding a phone) changes whose data this is: pages under the sign-in page load again.
  useEffect(() => {
    const again = () => void reload();
    Taro.eventCenter.on(SESSION_CHANGED, again);
    return () => void Taro.eventCenter.off(SESSION_CHANGED, again);
  }, [reload]);

  return { data, error, loading, reload };
}
