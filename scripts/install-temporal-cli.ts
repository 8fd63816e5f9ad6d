/** Makes sure a Temporal CLI is available (see scripts/lib/temporal-cli.ts) and prints its path. */
import { resolveTemporalCli } from './lib/temporal-cli.ts';

console.log(await resolveTemporalCli((line) => console.error(line)));
