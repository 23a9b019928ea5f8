import { expect, type APIRequestContext } from "@playwright/test";

type TrpcEnvelope<T> = { result: { data: { json: T } } };

/** tRPC calls as a browser makes them: its cookies, JSON, and the origin the server checks. */
export interface Trpc {
  query<T>(path: string, input?: unknown): Promise<T>;
  mutation<T>(path: string, input: unknown): Promise<T>;
}

/** Calls through `request` (a page's request context shares its cookies) to the server at `origin`. */
export function trpcClient(request: APIRequestContext, origin: string): Trpc {
  return {
    async query<T>(path: string, input?: unknown): Promise<T> {
      const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
      const url = `/api/trpc/${path}${query}`;
      // A kept-alive connection the server closes as it idles out can reset a request sent on
      // it at that moment; a browser sends an idempotent GET again on a fresh one, and so does this.
      const response = await request.get(url).catch((error: unknown) => {
        if (error instanceof Error && error.message.includes("ECONNRESET")) return request.get(url);
        throw error;
      });
      expect(response.status(), await response.text()).toBe(200);
      return ((await response.json()) as TrpcEnvelope<T>).result.data.json;
    },
    async mutation<T>(path: string, input: unknown): Promise<T> {
      const response = await request.post(`/api/trpc/${path}`, {
        headers: { "content-type": "application/json", origin },
        data: { json: input },
      });
      expect(response.status(), await response.text()).toBe(200);
      return ((await response.json()) as TrpcEnvelope<T>).result.data.json;
    },
  };
}
