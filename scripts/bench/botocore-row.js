// The benchmark row "same chain resolved by botocore": boto3 resolving a two-profile chain
// (credential_source = Ec2InstanceMetadata, then source_profile) against the sandbox, or why it is skipped.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** { id, label, version, cmd, args, env, expect } or { label, skipped } without python3/boto3. */
export function botocoreRow({ workDir, env, hop1, hop2, region }) {
  const label = "same chain resolved by botocore (boto3)";
  const probe = spawnSync("python3", ["-c", "import boto3, botocore; print('boto3', boto3.__version__, 'botocore', botocore.__version__)"], {
    env: { PATH: env.PATH, HOME: env.HOME },
    encoding: "utf8",
  });
  if (probe.error !== undefined) return { label, skipped: `python3 not available (${probe.error.message})` };
  if (probe.status !== 0) return { label, skipped: `boto3/botocore not importable: ${probe.stderr.trim().split("\n").at(-1)}` };
  const dir = mkdtempSync(join(workDir, "boto-"));
  writeFileSync(
    join(dir, "config"),
    `[profile bench-base]\nrole_arn = ${hop1}\ncredential_source = Ec2InstanceMetadata\n\n[profile bench-cross]\nrole_arn = ${hop2}\nsource_profile = bench-base\n`,
  );
  const script = join(dir, "resolve.py");
  writeFileSync(
    script,
    'import boto3\nc = boto3.Session(profile_name="bench-cross").get_credentials().get_frozen_credentials()\nassert c.token, "no session token"\n',
  );
  return {
    id: "boto",
    label,
    version: probe.stdout.trim(),
    cmd: "python3",
    args: [script],
    // botocore reads AWS_DEFAULT_REGION, not AWS_REGION.
    env: { ...env, AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"), AWS_DEFAULT_REGION: region },
    expect: 0,
  };
}
