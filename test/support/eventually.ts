/**
 * Polls `check` until it holds, for what a test waits on that happens in the background (a socket closing, a relay
 * reaching the portal). It holds once it returns without throwing and does not return `false`: an assertion
 * (`() => expect(x).toBe(y)`) or a probe (`() => calls.length > 0`). Past `timeoutMs`, the last assertion error is
 * thrown, or an error naming `what`.
 */
export async function eventually(
  check: () => unknown,
  timeoutMs = 5_000,
  what = 'condition',
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown = null;
    try {
      if ((await check()) !== false) return;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure ?? new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
