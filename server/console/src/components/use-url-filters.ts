import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A list page's filters and page number live in the URL: a search can be bookmarked, shared with a colleague
 * and survives a reload or the back button. Values are strings; the API's schema coerces them.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => {
    const values = {} as Record<K | 'page' | 'pageSize', string | undefined>;
    for (const key of [...keys, 'page', 'pageSize'] as const) values[key as K] = params.get(key) ?? undefined;
    return values;
  }, [params, keys]);
  const update = useCallback(
    (changes: Partial<Record<K | 'page' | 'pageSize', string | number | undefined | null>>) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === undefined || value === null || value === '') next.delete(key);
          else next.set(key, String(value));
        }
        return next;
      });
    },
    [setParams],
  );
  return { filters, update, params };
}

export function pageOf(filters: { page?: string; pageSize?: string }): { page: number; pageSize: number } {
  return { page: Number(filters.page) || 1, pageSize: Number(filters.pageSize) || 20 };
}
