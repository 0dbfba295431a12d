import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.js';

const folder = new URL('./', import.meta.url);

describe('migrations', () => {
  it('compiles in every .sql file of this folder, byte for byte, in file-name order', async () => {
    const files = (await readdir(folder)).filter((file) => file.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThan(0);
    expect(migrations.map((migration) => `${migration.name}.sql`)).toEqual(files);
    for (const migration of migrations) {
      const sql = await readFile(new URL(`${migration.name}.sql`, folder), 'utf8');
      expect(migration.sql, `${migration.name}: index.ts and the .sql file differ`).toBe(sql);
    }
  });

  it('names sort in the order they are applied', () => {
    const names = migrations.map((migration) => migration.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });
});
