/**
 * The default sandbox world (the same content as test/fixtures/worlds/two-accounts.json).
 *
 *   EC2 instance i-0123456789abcdef0, account 123456789012, us-east-1 (AZ us-east-1a),
 *   instance profile "ExampleRole" holding role ExampleRole.
 *
 *   Account 123456789012
 *     role ExampleRole          trust: Service ec2.amazonaws.com
 *                               may:   sts:AssumeRole on role/ExampleAssumedRole
 *     role PreviousInstanceRole trust: Service ec2.amazonaws.com; may nothing (the role a swap replaced:
 *                               `sandbox --imds-served-role PreviousInstanceRole` serves its credentials)
 *     role ExampleAssumedRole   trust: role/ExampleRole, user/alice     (MaxSessionDuration 12 h)
 *                               may:   sts:AssumeRole (+ TagSession, SetSourceIdentity) on any role of 222222222222
 *     user alice                key AKIAALICEEXAMPLE0001, MFA device arn:aws:iam::123456789012:mfa/alice (code 123456)
 *                               may:   sts:AssumeRole (+ TagSession, SetSourceIdentity) on
 *                                      role/ExampleAssumedRole and 222222222222 role/MfaRole
 *
 *     role GitHubDeploy         trust: OIDC provider token.actions.githubusercontent.com (Federated), action
 *                               sts:AssumeRoleWithWebIdentity, if aud = "sts.amazonaws.com" and
 *                               sub like "repo:example/app:*"                 (MaxSessionDuration 2 h)
 *                               may:   sts:AssumeRole (+ TagSession, SetSourceIdentity) on role/DeployTarget
 *     role GitLabDeploy         trust: OIDC provider gitlab.example.com, if aud = "sts.amazonaws.com" and
 *                               sub like "project_path:example/app:ref_type:branch:ref:*"
 *                               may:   the same as GitHubDeploy
 *     role DeployTarget         trust: role/GitHubDeploy, role/GitLabDeploy
 *
 *   OIDC providers (registered in 123456789012; tokens are HS256 JWTs signed with the secret below,
 *   standing in for the issuer's JWKS keys that real AWS fetches; test/fixtures/oidc/ mints them)
 *     token.actions.githubusercontent.com   client ID sts.amazonaws.com   secret SANDBOX_GITHUB_OIDC_SECRET
 *     gitlab.example.com                    client ID sts.amazonaws.com   secret SANDBOX_GITLAB_OIDC_SECRET
 *
 *   Account 222222222222
 *     role CrossAccountRole     trust: 123456789012 role/ExampleAssumedRole
 *     role ExternalIdRole       trust: 123456789012 role/ExampleAssumedRole if sts:ExternalId = "example-external-id"
 *     role MfaRole              trust: any principal of 123456789012 if aws:MultiFactorAuthPresent = true
 *                                      and aws:MultiFactorAuthAge < 3600
 *     role AliceOnlyRole        trust: 123456789012 user/alice only; alice's own policy does not allow it
 *                               (ExampleAssumedRole → AliceOnlyRole fails on trust,
 *                                alice → AliceOnlyRole fails on permissions)
 *
 * Typical chain: IMDS (ExampleRole/i-0123456789abcdef0) → ExampleAssumedRole → CrossAccountRole.
 * CI chain: GitHub OIDC token → (AssumeRoleWithWebIdentity) GitHubDeploy → DeployTarget.
 */
import { parseWorld, type World } from "./world.js";

const A = "123456789012";
const B = "222222222222";
const SESSION_ACTIONS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

const trusts = (principal: Record<string, string | string[]>, condition?: Record<string, unknown>) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: principal,
      Action: principal["Service"] === undefined ? SESSION_ACTIONS : "sts:AssumeRole",
      ...(condition === undefined ? {} : { Condition: condition }),
    },
  ],
});

/** A trust policy for an OIDC provider of account A, with the aud / sub conditions IAM's wizard writes. */
const trustsOidc = (provider: string, sub: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/${provider}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${provider}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${provider}:sub`]: sub } },
    },
  ],
});

/** HS256 signing secrets of the default world's OIDC providers (sandbox only: not secrets of anything real). */
export const SANDBOX_GITHUB_OIDC_SECRET = "sandbox-github-oidc-signing-secret";
export const SANDBOX_GITLAB_OIDC_SECRET = "sandbox-gitlab-oidc-signing-secret";

const mayAssume = (actions: string | string[], resources: string[]) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: actions, Resource: resources }],
});

/** The default world as a world-file JSON value. */
export const DEFAULT_WORLD_JSON = {
  accounts: {
    [A]: {
      roles: {
        ExampleRole: {
          trustPolicy: trusts({ Service: "ec2.amazonaws.com" }),
          permissionPolicy: mayAssume("sts:AssumeRole", [`arn:aws:iam::${A}:role/ExampleAssumedRole`]),
        },
        PreviousInstanceRole: {
          trustPolicy: trusts({ Service: "ec2.amazonaws.com" }),
        },
        ExampleAssumedRole: {
          maxSessionDuration: 43200,
          trustPolicy: trusts({ AWS: [`arn:aws:iam::${A}:role/ExampleRole`, `arn:aws:iam::${A}:user/alice`] }),
          permissionPolicy: mayAssume(SESSION_ACTIONS, [`arn:aws:iam::${B}:role/*`]),
        },
        GitHubDeploy: {
          maxSessionDuration: 7200,
          trustPolicy: trustsOidc("token.actions.githubusercontent.com", "repo:example/app:*"),
          permissionPolicy: mayAssume(SESSION_ACTIONS, [`arn:aws:iam::${A}:role/DeployTarget`]),
        },
        GitLabDeploy: {
          trustPolicy: trustsOidc("gitlab.example.com", "project_path:example/app:ref_type:branch:ref:*"),
          permissionPolicy: mayAssume(SESSION_ACTIONS, [`arn:aws:iam::${A}:role/DeployTarget`]),
        },
        DeployTarget: {
          trustPolicy: trusts({ AWS: [`arn:aws:iam::${A}:role/GitHubDeploy`, `arn:aws:iam::${A}:role/GitLabDeploy`] }),
        },
      },
      users: {
        alice: {
          accessKeyId: "AKIAALICEEXAMPLE0001",
          secretAccessKey: "aliceSecretKey/EXAMPLE+wJalrXUtnFEMI/K7MDENG",
          mfa: { serialNumber: `arn:aws:iam::${A}:mfa/alice`, code: "123456" },
          permissionPolicy: mayAssume(SESSION_ACTIONS, [
            `arn:aws:iam::${A}:role/ExampleAssumedRole`,
            `arn:aws:iam::${B}:role/MfaRole`,
          ]),
        },
      },
    },
    [B]: {
      roles: {
        CrossAccountRole: {
          trustPolicy: trusts({ AWS: `arn:aws:iam::${A}:role/ExampleAssumedRole` }),
        },
        ExternalIdRole: {
          trustPolicy: trusts(
            { AWS: `arn:aws:iam::${A}:role/ExampleAssumedRole` },
            { StringEquals: { "sts:ExternalId": "example-external-id" } },
          ),
        },
        MfaRole: {
          trustPolicy: trusts(
            { AWS: `arn:aws:iam::${A}:root` },
            { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
          ),
        },
        AliceOnlyRole: {
          trustPolicy: trusts({ AWS: `arn:aws:iam::${A}:user/alice` }),
        },
      },
    },
  },
  instance: {
    instanceId: "i-0123456789abcdef0",
    accountId: A,
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "t3.micro",
    imageId: "ami-0abcdef1234567890",
    privateIp: "10.0.0.10",
    role: "ExampleRole",
    instanceProfile: "ExampleRole",
  },
  oidcProviders: {
    "token.actions.githubusercontent.com": {
      signingSecret: SANDBOX_GITHUB_OIDC_SECRET,
      clientIds: ["sts.amazonaws.com"],
      accounts: [A],
    },
    "gitlab.example.com": {
      signingSecret: SANDBOX_GITLAB_OIDC_SECRET,
      clientIds: ["sts.amazonaws.com"],
      accounts: [A],
    },
  },
} as const;

export const defaultWorld: World = parseWorld(DEFAULT_WORLD_JSON, "defaultWorld");
