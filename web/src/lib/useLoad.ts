import { useCallback, useEffect, useState } from 'react';
import { errorOf, type ApiError } from '../api/client.ts';

/** What a failed load threw, as the API's error shape (a thrown API error body, or anything else). */
const loadError = (caught: unknown) => errorOf(caught && typeof caught === 'object' && 'code' in caught ? { error: caught } : caught);

/** Loads data for a page; `reload` after a change. Keeps the last data while reloading (no flicker). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await run());
      setError(null);
    } catch (caught) {
      setError(loadError(caught));
    } finally {
      setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    let current = true;
    setLoading(true);
    run()
      .then((value) => current && (setData(value), setError(null)))
      .catch((caught) => current && setError(loadError(caught)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [run]);
  return { data, error, loading, reload, setData };
}

type Page<T> = { items: T[]; nextCursor?: string | null };

/**
 * A cursor-paged list: the first page loads like useLoad (again when `deps` change); `loadMore` appends
 * the next one. `load` gets the cursor (undefined for the first page).
 */
export function usePages<T>(load: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[]) {
  const [more, setMore] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const first = useLoad(async () => {
    setMore(null);
    return load(undefined);
  }, deps);
  const nextCursor = more ? more.cursor : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!nextCursor) return;
    const page = await load(nextCursor);
    setMore((previous) => ({ items: [...(previous?.items ?? []), ...page.items], cursor: page.nextCursor ?? null }));
  };
  return {
    items: [...(first.data?.items ?? []), ...(more?.items ?? [])],
    loaded: first.data !== undefined,
    loading: first.loading,
    error: first.error,
    nextCursor,
    loadMore,
    reload: async () => {
      setMore(null);
      await first.reload();
    },
  };
}
