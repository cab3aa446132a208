import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD_JSON, defaultWorld, parseWorld, readWorldFile, WorldError } from "../../src/sandbox/index.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "worlds");

/** A deep, mutable copy of the default world JSON to break in one place. */
function worldJson(): any {
  return structuredClone(DEFAULT_WORLD_JSON);
}

const role = (trustPolicy: unknown, extra: object = {}) => ({ trustPolicy, ...extra });
/** Put role X (or another name) into account 123456789012 of world w, and return w. */
const withRole = (w: any, value: unknown, name = "X") => ((w.accounts["123456789012"].roles[name] = value), w);
const trust = { Statement: { Effect: "Allow", Principal: { AWS: "123456789012" }, Action: "sts:AssumeRole" } };

describe("defaultWorld", () => {
  it("has the seed's instance, roles and user", () => {
    expect(defaultWorld.partition).toBe("aws");
    expect(defaultWorld.instance).toMatchObject({
      instanceId: "i-0123456789abcdef0",
      accountId: "123456789012",
      region: "us-east-1",
      availabilityZone: "us-east-1a",
      roleName: "ExampleRole",
      instanceProfileName: "ExampleRole",
      instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/ExampleRole",
    });
    expect(defaultWorld.instance.instanceProfileId).toMatch(/^AIPA[A-Z0-9]{17}$/);
    expect(Object.keys(defaultWorld.accounts).sort()).toEqual(["123456789012", "222222222222"]);
    expect(Object.keys(defaultWorld.accounts["222222222222"]?.roles ?? {}).sort()).toEqual([
      "AliceOnlyRole",
      "CrossAccountRole",
      "ExternalIdRole",
      "MfaRole",
    ]);
    const assumed = defaultWorld.accounts["123456789012"]?.roles["ExampleAssumedRole"];
    expect(assumed?.arn).toBe("arn:aws:iam::123456789012:role/ExampleAssumedRole");
    expect(assumed?.roleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    const alice = defaultWorld.accounts["123456789012"]?.users["alice"];
    expect(alice?.arn).toBe("arn:aws:iam::123456789012:user/alice");
    expect(alice?.userId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(alice?.mfa).toEqual({ serialNumber: "arn:aws:iam::123456789012:mfa/alice", code: "123456" });
  });

  it("is what test/fixtures/worlds/two-accounts.json describes", async () => {
    expect(await readWorldFile(join(FIXTURES, "two-accounts.json"))).toEqual(defaultWorld);
  });

  it("derives the same unique IDs every time", () => {
    expect(parseWorld(worldJson(), "again")).toEqual(defaultWorld);
  });
});

describe("profile-without-role.json", () => {
  it("parses: instance profile with no role, role path in the ARN, defaults filled in", async () => {
    const world = await readWorldFile(join(FIXTURES, "profile-without-role.json"));
    expect(world.instance.roleName).toBeUndefined();
    expect(world.instance.instanceProfileArn).toBe("arn:aws:iam::333333333333:instance-profile/EmptyProfile");
    expect(world.instance.instanceType).toBe("t3.micro");
    const deployer = world.accounts["333333333333"]?.roles["Deployer"];
    expect(deployer?.arn).toBe("arn:aws:iam::333333333333:role/ci/Deployer");
    expect(deployer?.maxSessionDuration).toBe(7200);
  });
});

describe("parseWorld errors: one line, origin + path + rule", () => {
  const A = "accounts.123456789012";
  it.each<[string, (w: any) => unknown, string]>([
    ["not an object", () => [], "w.json: the world must be an object"],
    ["no accounts", (w) => ({ instance: w.instance }), "w.json: accounts is required"],
    ["no instance", (w) => ({ accounts: w.accounts }), "w.json: instance is required"],
    ["unknown top-level field", (w) => ({ ...w, acounts: {} }), 'w.json: unknown field "acounts"'],
    ["bad account id", (w) => ((w.accounts["123"] = {}), w), "w.json: accounts.123: account id must be 12 digits"],
    [
      "Statement of the wrong type",
      (w) => withRole(w, role({ Statement: "nope" })),
      `w.json: ${A}.roles.X.trustPolicy: Statement must be an array or object`,
    ],
    [
      "missing trust policy",
      (w) => withRole(w, {}),
      `w.json: ${A}.roles.X: trustPolicy is required`,
    ],
    [
      "misspelt role field",
      (w) => withRole(w, { trustPolcy: trust, trustPolicy: trust }),
      `w.json: ${A}.roles.X: unknown field "trustPolcy"`,
    ],
    [
      "bad Effect",
      (w) => withRole(w, role({ Statement: [{ ...trust.Statement, Effect: "allow" }] })),
      `w.json: ${A}.roles.X.trustPolicy.Statement[0]: Effect must be "Allow" or "Deny"`,
    ],
    [
      "trust policy without Principal",
      (w) => withRole(w, role({ Statement: { Effect: "Allow", Action: "sts:AssumeRole" } })),
      `w.json: ${A}.roles.X.trustPolicy.Statement[0]: Principal or NotPrincipal is required`,
    ],
    [
      "trust policy with Resource",
      (w) => withRole(w, role({ Statement: { ...trust.Statement, Resource: "*" } })),
      `w.json: ${A}.roles.X.trustPolicy.Statement[0]: Resource is not allowed in a trust policy`,
    ],
    [
      "identity policy with Principal",
      (w) => withRole(w, role(trust, { permissionPolicy: { Statement: { ...trust.Statement, Resource: "*" } } })),
      `w.json: ${A}.roles.X.permissionPolicy.Statement[0]: Principal is not allowed in an identity policy`,
    ],
    [
      "identity policy without Resource",
      (w) => withRole(w, role(trust, { permissionPolicy: { Statement: { Effect: "Allow", Action: "sts:*" } } })),
      `w.json: ${A}.roles.X.permissionPolicy.Statement[0]: Resource or NotResource is required`,
    ],
    [
      "unsupported condition operator",
      (w) => withRole(w, role({ Statement: { ...trust.Statement, Condition: { StringSorta: { a: "b" } } } })),
      `w.json: ${A}.roles.X.trustPolicy.Statement[0].Condition: unsupported condition operator "StringSorta"`,
    ],
    [
      "bad AWS principal",
      (w) => withRole(w, role({ Statement: { ...trust.Statement, Principal: { AWS: "alice" } } })),
      `w.json: ${A}.roles.X.trustPolicy.Statement[0].Principal: ` +
        `AWS principal must be "*", an account id or an IAM ARN (got "alice")`,
    ],
    [
      "maxSessionDuration out of range",
      (w) => withRole(w, role(trust, { maxSessionDuration: 100 })),
      `w.json: ${A}.roles.X: maxSessionDuration must be between 3600 and 43200 (got 100)`,
    ],
    [
      "bad role path",
      (w) => withRole(w, role(trust, { path: "ci" })),
      `w.json: ${A}.roles.X: path must match "/" or "/a/b/" (got "ci")`,
    ],
    [
      "bad role name",
      (w) => withRole(w, role(trust), "X Y"),
      `w.json: ${A}.roles.X Y: role name must match`,
    ],
    [
      "user without secret",
      (w) => (delete w.accounts["123456789012"].users.alice.secretAccessKey, w),
      `w.json: ${A}.users.alice: secretAccessKey is required`,
    ],
    [
      "bad access key id",
      (w) => ((w.accounts["123456789012"].users.alice.accessKeyId = "ASIAXXXXXXXXXXXXXXXX"), w),
      `w.json: ${A}.users.alice: accessKeyId must match AKIA + 12..124 [A-Z0-9]`,
    ],
    [
      "bad MFA code",
      (w) => ((w.accounts["123456789012"].users.alice.mfa.code = "12345"), w),
      `w.json: ${A}.users.alice.mfa: code must match six digits`,
    ],
    [
      "duplicate access key",
      (w) => (
        (w.accounts["222222222222"].users = { bob: { ...w.accounts["123456789012"].users.alice, mfa: undefined } }), w
      ),
      "w.json: accounts.222222222222.users.bob: accessKeyId AKIAALICEEXAMPLE0001 is used by another user",
    ],
    [
      "instance role missing",
      (w) => ((w.instance.role = "Nope"), w),
      "w.json: instance: role Nope is not a role of account 123456789012",
    ],
    [
      "instance account missing",
      (w) => ((w.instance.accountId = "999999999999"), w),
      "w.json: instance: accountId 999999999999 is not one of the accounts",
    ],
    [
      "bad instance id",
      (w) => ((w.instance.instanceId = "instance-1"), w),
      'w.json: instance: instanceId must match i-<8..17 hex> (got "instance-1")',
    ],
    [
      "AZ outside the region",
      (w) => ((w.instance.availabilityZone = "eu-west-1a"), w),
      "w.json: instance: availabilityZone must start with the region us-east-1",
    ],
  ])("%s", (_name, mutate, expected) => {
    let error: unknown;
    try {
      parseWorld(mutate(worldJson()), "w.json");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorldError);
    const message = (error as Error).message;
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain("\n");
  });

  it("readWorldFile reports invalid JSON and unreadable files with the path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sandbox-world-"));
    const bad = join(dir, "bad.json");
    await writeFile(bad, "{ nope");
    await expect(readWorldFile(bad)).rejects.toThrow(new RegExp(`^${bad}: not valid JSON`));
    await expect(readWorldFile(join(dir, "missing.json"))).rejects.toThrow(
      /missing\.json: cannot read the world file \(ENOENT\)/,
    );
  });

  it("the example file is valid JSON that parseWorld accepts with its own origin", async () => {
    const text = await readFile(join(FIXTURES, "two-accounts.json"), "utf8");
    expect(() => parseWorld(JSON.parse(text), "two-accounts.json")).not.toThrow();
  });
});
