// npm run demo: start the sandbox, eval a two-hop chain from IMDS in bash, show the identity it yields.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startSandbox } from "../dist/sandbox/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const sandbox = await startSandbox();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: "C.UTF-8",
  ...sandbox.env(),
  AR: `${process.execPath} ${root}bin/assume-role.js`,
};

const script = String.raw`
set -u
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
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
