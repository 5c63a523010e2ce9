// Waiting for conditions that other processes change: poll, never sleep for a guessed time.
'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` (sync or async) until it returns a truthy value; throws with `what` on timeout.
async function until(what, probe, timeoutMs = 20000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs); // polling a condition another process changes
  }
}

module.exports = { sleep, until };
