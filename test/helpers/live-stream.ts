// A reader of the gateway's live channel (/graphql/stream, GraphQL over SSE, distinct connections
// mode) for tests: opens one subscription with fetch and collects its events as they arrive.

export interface StreamEvent {
  event: string;
  data: any;
}

export interface OpenStream {
  status: number;
  headers: Headers;
  /** The body when the answer is not a stream (a refusal). */
  refusal?: any;
  events: StreamEvent[];
  /** The `next` payloads' `data.changes`. */
  changes(): any[];
  /** Resolves when the server ends the stream (or the test closes it). */
  ended: Promise<void>;
  close(): void;
}

export const CHANGES_SUBSCRIPTION = 'subscription { changes { subgraph poi types at count } }';

export async function openStream(
  url: string,
  token: string | undefined,
  query = CHANGES_SUBSCRIPTION,
  variables?: Record<string, unknown>,
): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const base = {
    status: response.status,
    headers: response.headers,
    events,
    changes: () => events.filter((e) => e.event === 'next').map((e) => e.data?.data?.changes),
  };
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    let refusal: unknown = text;
    try {
      refusal = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { ...base, refusal, ended: Promise.resolve(), close: () => undefined };
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = message.split('\n').filter((line) => !line.startsWith(':'));
          if (lines.length === 0) continue;
          const event =
            lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim() ?? 'message';
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          events.push({ event, data: data ? JSON.parse(data) : null });
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return { ...base, ended, close: () => abort.abort() };
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
