// A dynalite engine in its own process (npm run bench -- --engine=child): the code under test
// and the database then run on separate threads, as they do on AWS.
// Prints the endpoint as one JSON line and exits when its parent closes stdin.
import { startDynalite } from '../local/embedded-dynamodb.ts';

const engine = await startDynalite();
process.stdout.write(`${JSON.stringify({ endpoint: engine.endpoint })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void engine.close().then(() => process.exit(0));
});
