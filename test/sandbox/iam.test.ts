/** The sandbox's IAM Query API (GetRole, SimulatePrincipalPolicy) through the SDK's own IAM client. */
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { DEV, DEV_KEYS, TARGET, doctorWorld } from "../fixtures/worlds/doctor-world.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";

const fresh = useFreshSandboxes();

function iamOf(endpoint: string): IAMClient {
  return new IAMClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: DEV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: DEV_KEYS.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
}

describe("sandbox IAM", () => {
  it("GetRole hands back the trust policy as written (URL-encoded) and MaxSessionDuration, to a caller allowed iam:GetRole", async () => {
    const world = doctorWorld({ identityAllows: true, trustAllows: true, readsIam: true, targetMaxSession: 7200 });
    const sb = await fresh({ world });
    expect(sb.env().AWS_ENDPOINT_URL_IAM).toBe(sb.stsEndpoint);
    const out = await iamOf(sb.env().AWS_ENDPOINT_URL_IAM!).send(new GetRoleCommand({ RoleName: "Target" }));
    expect(out.Role?.Arn).toBe(TARGET);
    expect(out.Role?.MaxSessionDuration).toBe(7200);
    expect(JSON.parse(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!)).Statement[0].Principal).toEqual({ AWS: DEV });
    expect(sb.requests.map((r) => [r.action, r.callerArn, r.status])).toEqual([["GetRole", DEV, 200]]);
  });

  it("a caller without iam:GetRole is refused (AccessDenied, 403); an unknown role is NoSuchEntity (404)", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: false }) });
    const iam = iamOf(sb.stsEndpoint);
    await expect(iam.send(new GetRoleCommand({ RoleName: "Target" }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining(`User: ${DEV} is not authorized to perform: iam:GetRole on resource: ${TARGET}`),
    });
    const reader = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: true }) });
    await expect(iamOf(reader.stsEndpoint).send(new GetRoleCommand({ RoleName: "Nope" }))).rejects.toMatchObject({ name: "NoSuchEntityException", $metadata: { httpStatusCode: 404 } });
  });

  it("SimulatePrincipalPolicy evaluates the principal's identity policy: allowed / implicitDeny per action", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: false, readsIam: true }) });
    const out = await iamOf(sb.stsEndpoint).send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: DEV, ActionNames: ["sts:AssumeRole", "sts:TagSession"], ResourceArns: [TARGET] }),
    );
    expect(out.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ["sts:AssumeRole", TARGET, "allowed"],
      ["sts:TagSession", TARGET, "implicitDeny"],
    ]);
    // Without iam:SimulatePrincipalPolicy: refused.
    const closed = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: false, readsIam: false }) });
    await expect(
      iamOf(closed.stsEndpoint).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: DEV, ActionNames: ["sts:AssumeRole"], ResourceArns: [TARGET] })),
    ).rejects.toMatchObject({ name: "AccessDenied" });
  });
});
