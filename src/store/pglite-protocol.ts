import type { SqlParam, SqlRow } from './sql-executor.js';

/** What the embedded engine's worker (src/store/pglite-engine.ts) is started with. */
export interface EngineSettings {
  /** The cluster's directory, or null for a throwaway in-memory database. */
  readonly dataDir: string | null;
  readonly startParams: readonly string[];
}

/**
 * Main thread → worker. `tx` names an open transaction (the number `begin` answered); without it a statement runs
 * on its own, after any open transaction ends.
 */
export type EngineRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly sql: string;
      readonly params: readonly SqlParam[];
      readonly tx?: number;
    }
  | { readonly id: number; readonly op: 'exec'; readonly sql: string; readonly tx?: number }
  | { readonly id: number; readonly op: 'begin' }
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'memory' }
  | { readonly id: number; readonly op: 'close' };

/** A database error as it crosses the thread boundary: the SQLSTATE (`code`) is what callers look at. */
export interface WireError {
  readonly message: string;
  readonly code?: string;
  readonly severity?: string;
  readonly detail?: string;
}

/** Worker → main thread. Id 0 says the engine is up (or could not start). */
export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** The engine's own memory: its WebAssembly heap (PostgreSQL's) and its JavaScript heap. */
export interface EngineMemory {
  readonly wasmBytes: number;
  readonly heapBytes: number;
}

export type EngineRows = SqlRow[];
