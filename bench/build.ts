import { spawn } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * How the measured processes run. Production runs compiled JavaScript (`node dist/src/main.js`); under the tsx
 * loader a process carries a second V8 isolate for the loader hooks (~45 MB more RSS) and transpiles while it
 * starts, which would bias memory and start-up figures. Full runs therefore compile the service and the child
 * entries with tsc (a few seconds); quick runs use tsx.
 */
export type ChildRuntime = { readonly kind: 'compiled'; readonly dir: string } | { readonly kind: 'tsx' };

const buildDir = fileURLToPath(new URL('./.build/', import.meta.url));

/** Compiles src/ and the child entries into bench/.build (inside the repo, so node_modules resolve). */
export async function compileChildren(): Promise<ChildRuntime> {
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(buildDir, { recursive: true });
  const tsconfig = `${buildDir}tsconfig.json`;
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: '.', rootDir: '../..', sourceMap: false },
      include: ['../../src', '../service-process.ts', '../bare-bolt-process.ts', '../ipc.ts'],
      exclude: ['../../src/**/*.test.ts'],
    }),
  );
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  const output = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', tsconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.on('close', () => resolve(text));
  });
  // Type errors elsewhere in the tree (work in progress) still emit JavaScript; what matters is that it exists.
  try {
    await access(`${buildDir}bench/service-process.js`);
    await access(`${buildDir}bench/bare-bolt-process.js`);
  } catch {
    throw new Error(`tsc did not emit the child entries: ${output.slice(0, 500)}`);
  }
  return { kind: 'compiled', dir: buildDir };
}

export const removeBuild = (): Promise<void> => rm(buildDir, { recursive: true, force: true });
