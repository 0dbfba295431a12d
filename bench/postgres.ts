import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A private schema on the benchmark's PostgreSQL server: its URL routes every connection there. */
export interface BenchSchema {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** The server to use, when there is one: TEST_DATABASE_URL (CI) or DATABASE_URL. */
export const benchDatabaseUrl = (): string | undefined =>
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

const withSearchPath = (url: string, schema: string): string => {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
};

/** A uniquely named schema per run (the store-contract trick), dropped with everything in it by `drop`. */
export async function freshSchema(url: string, label: string): Promise<BenchSchema> {
  const name = `bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: withSearchPath(url, name),
    drop: () => {
      dropped ??= (async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        } finally {
          await client.end();
        }
      })();
      return dropped;
    },
  };
}
