// Preloaded (node -r) into the Prisma CLI when server/storage/migrations.ts runs `migrate deploy`.
// Prisma 6.19's WASM schema engine leaves a 10-second timer pending after talking to PostgreSQL
// through a driver adapter, so the CLI sat idle for 10 s after finishing. Timers created from
// WASM are unref'd: they still fire while the CLI works, but no longer keep a finished CLI alive.
"use strict";
const originalSetTimeout = global.setTimeout;
global.setTimeout = function setTimeoutUnrefFromWasm(callback, delay, ...args) {
  const timer = originalSetTimeout(callback, delay, ...args);
  if (delay >= 1000 && /wasm:\/\//.test(new Error().stack ?? "")) timer.unref();
  return timer;
};
