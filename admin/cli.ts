// `npm run admin -- <command>`: the operator CLI (DESIGN.md section 6); logic in run.ts and commands/.
import { runAdmin } from './run.ts';

process.exitCode = await runAdmin(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
