// GraphQL over fetch with the dashboard's token: the pages' only way to data.
import { useCallback, useEffect, useState } from "react";

import { useBridge } from "./bridge";

export type GraphQLErrorShape = { message: string; extensions?: { code?: string; field?: string } };
export type MutationError = { field: string | null; message: string; code: string };

export class RequestError extends Error {}

export async function gql<T>(apiUrl: string, token: string, query: string, variables: object = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new RequestError(String(error));
  }
  let body: { data?: T; errors?: GraphQLErrorShape[] };
  try {
    body = await response.json();
  } catch {
    throw new RequestError(`HTTP ${response.status}`);
  }
  if (body.errors?.length) throw new RequestError(body.errors.map((e) => e.message).join("; "));
  if (!response.ok || !body.data) throw new RequestError(`HTTP ${response.status}`);
  return body.data;
}

export function useGraphQL() {
  const { apiUrl, token } = useBridge();
  return useCallback(<T,>(query: string, variables: object = {}) => gql<T>(apiUrl, token, query, variables),
    [apiUrl, token]);
}

export type QueryState<T> = { data: T | null; error: string | null; loading: boolean; reload: () => void };

export function useQuery<T>(query: string, variables: object, skip = false): QueryState<T> {
  const run = useGraphQL();
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null, error: null, loading: !skip,
  });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    run<T>(query, JSON.parse(key))
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error: Error) => live && setState({ data: null, error: error.message, loading: false }));
    return () => {
      live = false;
    };
  }, [run, query, key, skip, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}
