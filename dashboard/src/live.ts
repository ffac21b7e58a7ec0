// The dashboard's live channel: one subscription to the gateway's /graphql/stream (GraphQL over
// Server-Sent Events, graphql-sse's client, bundled), with the same Authorization as the page's
// queries. It says when the page is live and hands on every Change; when the stream drops it
// reconnects with a growing pause (1 s, 2 s, 4 s … at most 60 s), the page meanwhile refreshing on
// its timer.
import { createClient } from 'graphql-sse';
// A Change's type is generated from the gateway's LIVE_SDL (`npm run codegen`); type-only, nothing is bundled.
import type { Change } from '../../gateway/generated/live';

export const STREAM_URL = '/graphql/stream';
const SUBSCRIPTION = 'subscription DashboardChanges { changes { subgraph poi types at count } }';
const MAX_BACKOFF_MS = 60_000;

export interface LiveListener {
  /** The channel is open (true) or dropped (false). */
  state(live: boolean): void;
  change(change: Change): void;
}

/** Opens the channel; returns the function that closes it for good. */
export function connectLive(token: string, listener: LiveListener): () => void {
  let stopped = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;
  const client = createClient({
    url: STREAM_URL,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    // Reconnecting is done here, to show the fallback while it lasts.
    retryAttempts: 0,
  });

  const dropped = () => {
    if (stopped) return;
    unsubscribe = undefined;
    listener.state(false);
    const pause = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures) * (0.75 + Math.random() * 0.5);
    failures += 1;
    retry = setTimeout(subscribe, pause);
  };

  function subscribe(): void {
    if (stopped) return;
    unsubscribe = client.subscribe<{ changes: Change }>(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          if (result.data?.changes) listener.change(result.data.changes);
        },
        error: dropped,
        complete: dropped,
      },
      {
        connected: () => {
          failures = 0;
          listener.state(true);
        },
      },
    );
  }

  subscribe();
  return () => {
    stopped = true;
    clearTimeout(retry);
    unsubscribe?.();
    client.dispose();
  };
}
