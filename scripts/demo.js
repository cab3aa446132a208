// npm run demo: start the sandbox, eval a two-hop chain from IMDS in bash, show the identity it yields.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { supportsColor } from "chalk";
import { startSandbox } from "../dist/sandbox/index.js";
import { colourLevel, createColours } from "../dist/ui/colours.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const sandbox = await startSandbox();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: "C.UTF-8",
  // The CLI's own colour choices (error lines on a terminal) follow the same wishes as the demo's.
  ...Object.fromEntries(["NO_COLOR", "FORCE_COLOR", "TERM"].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
  ...sandbox.env(),
  AR: `${process.execPath} ${root}bin/assume-role.js`,
  // The step lines are bold only when this demo's stdout is a terminal (or FORCE_COLOR), never in a pipe.
  ...boldCodes(),
};

const script = String.raw`
set -u
step() { printf '\n%s$ %s%s\n' "$BOLD_ON" "$*" "$BOLD_OFF"; }
mask() { sed -E "s/^(export AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN)='.{6}).*/\1…'/"; }

echo "sandbox: IMDS at $AWS_EC2_METADATA_SERVICE_ENDPOINT, STS at $AWS_ENDPOINT_URL_STS (instance i-0123456789abcdef0, role ExampleRole)"

step 'assume-role ExampleAssumedRole arn:aws:iam::222222222222:role/CrossAccountRole   # secrets shortened here'
out="$($AR ExampleAssumedRole arn:aws:iam::222222222222:role/CrossAccountRole)" || exit $?
printf '%s\n' "$out" | mask

step 'eval "$(assume-role ExampleAssumedRole arn:aws:iam::222222222222:role/CrossAccountRole)"'
eval "$out"
step 'assume-role whoami --source env        # GetCallerIdentity signed with the exported credentials'
$AR whoami --source env || exit $?

step 'eval "$(assume-role ExampleAssumedRole arn:aws:iam::222222222222:role/CrossAccountRole)"   # again: chains from IMDS, not from the exports'
eval "$($AR ExampleAssumedRole arn:aws:iam::222222222222:role/CrossAccountRole)" && $AR whoami --source env

step 'assume-role arn:aws:iam::222222222222:role/MfaRole   # not allowed: exit 4 and what to fix'
$AR arn:aws:iam::222222222222:role/MfaRole; echo "(exit $?)"

step 'eval "$(assume-role unset)"; env | grep -c "^AWS_ACCESS_KEY_ID="'
eval "$($AR unset)"; env | grep -c '^AWS_ACCESS_KEY_ID=' || true
`;

// Asynchronous: the sandbox answers from this process's event loop while bash runs.
const status = await new Promise((resolve) => {
  spawn("bash", ["-c", script], { env, stdio: "inherit" }).on("close", (code) => resolve(code ?? 1));
});
await sandbox.close();
const { sts = {}, imds = {} } = sandbox.counts;
console.log(`\nsandbox served ${Object.values(imds).reduce((a, b) => a + b, 0)} IMDS and ${Object.values(sts).reduce((a, b) => a + b, 0)} STS requests`);
process.exitCode = status;

/** chalk's codes for bold on and off at the level the project decides for stdout (src/ui/colours.ts): empty when plain. */
function boldCodes() {
  const level = colourLevel(process.env, Boolean(process.stdout.isTTY), supportsColor ? supportsColor.level : 0);
  const [on, off] = createColours(level, 0).out.bold("\0").split("\0");
  return { BOLD_ON: on, BOLD_OFF: off };
}
