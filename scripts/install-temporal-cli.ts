/**
 * Makes sure a Temporal CLI (see scripts/lib/temporal-cli.ts) and the time-skipping test server
 * (scripts/lib/temporal-test-server.ts) are available, and prints the CLI's path.
 */
import { resolveTemporalCli } from './lib/temporal-cli.ts';
import { ensureTemporalTestServer } from './lib/temporal-test-server.ts';

console.log(await resolveTemporalCli((line) => console.error(line)));
console.error(`time-skipping test server: ${await ensureTemporalTestServer((line) => console.error(line))}`);
