import { describe, expect, it } from "vitest";
import { consoleSessionDuration } from "../../src/console/console-plan.js";
import { consoleHome, defaultSigninUrl, loginUrl, parseDestination, parseSigninUrl, signinTokenRequestUrl } from "../../src/console/console-urls.js";
import { openerFor } from "../../src/console/open-browser.js";
import { UsageError } from "../../src/errors.js";
import type { ChainPlan, Hop } from "../../src/types.js";

describe("partition defaults", () => {
  it.each([
    ["aws", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/console/home?region=eu-west-1"],
    ["aws-us-gov", "https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/console/home?region=eu-west-1"],
    ["aws-cn", "https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/console/home?region=eu-west-1"],
  ])("%s", (partition, signin, home) => {
    expect(defaultSigninUrl(partition).href).toBe(signin);
    expect(consoleHome(partition, "eu-west-1").href).toBe(home);
  });
  it("other partitions have none", () => {
    expect(() => defaultSigninUrl("aws-iso")).toThrow(UsageError);
    expect(() => consoleHome("aws-iso-b", undefined)).toThrow(/partition 'aws-iso-b' has no known console sign-in endpoint/);
  });
});

describe("--signin-url", () => {
  it.each(["https://signin.example.com/federation", "http://127.0.0.1:8080/federation", "http://localhost/f", "http://[::1]:9/f", "http://127.9.9.9/f"])("accepts %s", (v) => {
    expect(parseSigninUrl(v).href).toBe(new URL(v).href);
  });
  it.each(["http://10.0.0.1/f", "http://127.0.0.1.evil.example/f", "http://169.254.169.254/", "file:///etc/passwd", "https://u:p@x.example/", "https://x.example/#f", "nope"])("refuses %s", (v) => {
    expect(() => parseSigninUrl(v)).toThrow(UsageError);
  });
});

describe("--destination", () => {
  it("a path lands on the partition's console with the region", () => {
    expect(parseDestination("/s3/home", "aws-cn", "cn-north-1").href).toBe("https://console.amazonaws.cn/s3/home?region=cn-north-1");
    expect(parseDestination("/s3/home?region=eu-west-2", "aws", "us-east-1").href).toBe("https://console.aws.amazon.com/s3/home?region=eu-west-2");
  });
  it("refuses what is not https or a path", () => {
    for (const v of ["javascript:alert(1)", "//evil.example/", "http://evil.example/", "data:text/html,x"]) expect(() => parseDestination(v, "aws", undefined)).toThrow(UsageError);
  });
});

describe("URLs", () => {
  const endpoint = new URL("https://signin.aws.amazon.com/federation");
  it("getSigninToken carries the Session JSON (with + / = intact) and SessionDuration only when given", () => {
    const session = { sessionId: "ASIAX", sessionKey: "a+b/c=", sessionToken: "t+/==" };
    const without = signinTokenRequestUrl(endpoint, session);
    expect(Object.fromEntries(without.searchParams)).toEqual({ Action: "getSigninToken", Session: JSON.stringify(session) });
    expect(signinTokenRequestUrl(endpoint, session, 7200).searchParams.get("SessionDuration")).toBe("7200");
  });
  it("the login URL holds the token and destination only", () => {
    const url = loginUrl(endpoint, "tok+en", new URL("https://console.aws.amazon.com/console/home?region=us-east-1"));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: "login",
      Issuer: "assume-role",
      Destination: "https://console.aws.amazon.com/console/home?region=us-east-1",
      SigninToken: "tok+en",
    });
  });
});

describe("SessionDuration decision", () => {
  const hop = (chained: boolean, seconds: number) => ({ chained, params: { DurationSeconds: seconds } }) as unknown as Hop;
  const plan = (...hops: Hop[]) => ({ hops }) as unknown as ChainPlan;
  it.each([
    [plan(), undefined],
    [plan(hop(false, 7200)), 7200],
    [plan(hop(false, 3600), hop(true, 3600)), undefined],
    [plan(hop(true, 900)), undefined],
    [plan(hop(false, 43200)), 43200],
  ])("%#", (p, expected) => expect(consoleSessionDuration(p)).toBe(expected));
});

describe("opener", () => {
  const url = "https://x.example/?a=1&b=$&";
  it.each([
    ["linux", {}, { file: "xdg-open", args: [url] }],
    ["darwin", {}, { file: "open", args: [url] }],
    ["win32", {}, { file: "rundll32", args: ["url.dll,FileProtocolHandler", url] }],
    ["linux", { BROWSER: "firefox" }, { file: "firefox", args: [url] }],
    ["linux", { BROWSER: " :w3m -o x %s:lynx" }, { file: "w3m", args: ["-o", "x", url] }],
    ["darwin", { BROWSER: "" }, { file: "open", args: [url] }],
  ] as const)("%s %j", (platform, env, expected) => {
    expect(openerFor(platform, env, url)).toMatchObject(expected);
  });
});
