import autocannon from 'autocannon';

/** A request ready to send: body and headers (signature included) computed before the clock starts. */
export interface PreparedRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadResult {
  /** Every response's latency in ms, at full resolution (autocannon's own histogram keeps whole ms only). */
  readonly latencies: number[];
  readonly elapsedMs: number;
  readonly completed: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly requestsPerSecond: number;
}

/**
 * Sends exactly `requests.length` POSTs to `url` over `connections` keep-alive connections with autocannon, each
 * request taking the next prepared body (unique event ids), and measures every response.
 */
export async function runLoad(
  url: string,
  requests: readonly PreparedRequest[],
  connections: number,
): Promise<LoadResult> {
  if (requests.length < connections) throw new Error(`need at least ${connections} requests, got ${requests.length}`);
  // autocannon builds each connection's first request up front and may ask for one more at the end: spare bodies.
  const spare = connections + 2;
  const pool = [...requests];
  for (let index = 0; index < spare; index++) pool.push(requests[index % requests.length] as PreparedRequest);
  let next = 0;
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  // Without a callback autocannon returns its tracker (an EventEmitter) made thenable; the types only say Promise.
  const instance = autocannon({
    url,
    method: 'POST',
    connections,
    amount: requests.length,
    timeout: 10,
    // autocannon notices that an `amount` run is over on its next sample tick (1 s by default).
    sampleInt: 25,
    requests: [
      {
        setupRequest: (request) => {
          const prepared = pool[Math.min(next++, pool.length - 1)] as PreparedRequest;
          return { ...request, method: 'POST', headers: { ...prepared.headers }, body: prepared.body };
        },
      },
    ],
  }) as Promise<autocannon.Result> & {
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  };
  // Timed to the last response, not to autocannon's last tick.
  let lastResponseAt = started;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    lastResponseAt = performance.now();
    latencies.push(responseTime);
    if (statusCode < 200 || statusCode >= 300) non2xx += 1;
  });
  const result = await instance;
  const elapsedMs = lastResponseAt - started;
  return {
    latencies,
    elapsedMs,
    completed: latencies.length,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSecond: (latencies.length / elapsedMs) * 1000,
  };
}
