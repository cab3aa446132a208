import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { buildExportSet, buildUnsetSet, type ExportSet, type FormatInput } from "../../src/outputs/export-set.js";
import { dotenvValue } from "../../src/outputs/formatters/dotenv.js";
import { fishQuote } from "../../src/outputs/formatters/fish.js";
import { psQuote } from "../../src/outputs/formatters/powershell.js";
import { FORMAT_NAMES, FORMATS, getFormatter, SHELL_FORMAT_NAMES, type FormatName } from "../../src/outputs/formatters/registry.js";
import { shQuote } from "../../src/outputs/formatters/sh.js";
import { UnrepresentableValueError } from "../../src/outputs/formatters/validate.js";

const ROLE = "arn:aws:iam::111111111111:role/Deploy";
const ASSUMED = "arn:aws:sts::111111111111:assumed-role/Deploy/ci@build-host";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEHQaCXVzLWVhc3QtMSJHMEUCIQ+/tok==";

const tempCreds = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: SECRET,
  sessionToken: TOKEN,
  expiration: new Date("2030-01-02T03:04:05.678Z"),
};
const CHAIN = `imds > ${ROLE}`;
const TEMP: FormatInput = {
  exports: buildExportSet({ credentials: tempCreds, region: "eu-west-1", roleArn: ROLE, chain: { source: "imds", roles: [ROLE] } }),
  credentials: tempCreds,
  region: "eu-west-1",
  roleArn: ROLE,
  assumedRoleArn: ASSUMED,
};
const longCreds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET };
const LONG: FormatInput = { exports: buildExportSet({ credentials: longCreds }), credentials: longCreds };
const LONG_CLEARED = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SECURITY_TOKEN",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "ASSUME_ROLE_ARN",
  "ASSUME_ROLE_CHAIN",
];

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const fishClear = (n: string) =>
  `if set -q -g ${n}; set -e -g ${n}; end; if set -q -U -x ${n}; echo 'assume-role: universal variable ${n} stays exported (erase it: set -e -U ${n})' >&2; end;`;

function only(set: ReadonlyArray<readonly [string, string]>, unset: readonly string[] = []): FormatInput {
  return { exports: { set, unset }, credentials: { accessKeyId: "", secretAccessKey: "" } };
}

const SH_TEMP = lines(
  "export AWS_ACCESS_KEY_ID='ASIAIOSFODNN7EXAMPLE'",
  `export AWS_SECRET_ACCESS_KEY='${SECRET}'`,
  `export AWS_SESSION_TOKEN='${TOKEN}'`,
  "export AWS_CREDENTIAL_EXPIRATION='2030-01-02T03:04:05Z'",
  "export AWS_REGION='eu-west-1'",
  "export AWS_DEFAULT_REGION='eu-west-1'",
  `export ASSUME_ROLE_ARN='${ROLE}'`,
  `export ASSUME_ROLE_CHAIN='${CHAIN}'`,
  "export ASSUME_ROLE_ACCESS_KEY_ID='ASIAIOSFODNN7EXAMPLE'",
  "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN",
);
const SH_LONG = lines(
  "export AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE'",
  `export AWS_SECRET_ACCESS_KEY='${SECRET}'`,
  "export ASSUME_ROLE_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE'",
  `unset ${LONG_CLEARED.join(" ")}`,
);
const PS_TEMP = lines(
  "$Env:AWS_ACCESS_KEY_ID = 'ASIAIOSFODNN7EXAMPLE'",
  `$Env:AWS_SECRET_ACCESS_KEY = '${SECRET}'`,
  `$Env:AWS_SESSION_TOKEN = '${TOKEN}'`,
  "$Env:AWS_CREDENTIAL_EXPIRATION = '2030-01-02T03:04:05Z'",
  "$Env:AWS_REGION = 'eu-west-1'",
  "$Env:AWS_DEFAULT_REGION = 'eu-west-1'",
  `$Env:ASSUME_ROLE_ARN = '${ROLE}'`,
  `$Env:ASSUME_ROLE_CHAIN = '${CHAIN}'`,
  "$Env:ASSUME_ROLE_ACCESS_KEY_ID = 'ASIAIOSFODNN7EXAMPLE'",
  "Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE",
  "Remove-Item -ErrorAction SilentlyContinue Env:AWS_DEFAULT_PROFILE",
  "Remove-Item -ErrorAction SilentlyContinue Env:AWS_SECURITY_TOKEN",
);
const PS_LONG = lines(
  "$Env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
  `$Env:AWS_SECRET_ACCESS_KEY = '${SECRET}'`,
  "$Env:ASSUME_ROLE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
  ...LONG_CLEARED.map((n) => `Remove-Item -ErrorAction SilentlyContinue Env:${n}`),
);

const DOTENV = {
  temp: lines(
    "AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE",
    `AWS_SECRET_ACCESS_KEY=${SECRET}`,
    `AWS_SESSION_TOKEN=${TOKEN}`,
    "AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
    "AWS_REGION=eu-west-1",
    "AWS_DEFAULT_REGION=eu-west-1",
    `ASSUME_ROLE_ARN=${ROLE}`,
    `ASSUME_ROLE_CHAIN='${CHAIN}'`,
    "ASSUME_ROLE_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE",
  ),
  long: lines("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", `AWS_SECRET_ACCESS_KEY=${SECRET}`, "ASSUME_ROLE_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
};

const EXPECTED: Record<FormatName, { temp: string; long: string }> = {
  sh: { temp: SH_TEMP, long: SH_LONG },
  bash: { temp: SH_TEMP, long: SH_LONG },
  zsh: { temp: SH_TEMP, long: SH_LONG },
  fish: {
    temp: lines(
      "set -gx AWS_ACCESS_KEY_ID 'ASIAIOSFODNN7EXAMPLE';",
      `set -gx AWS_SECRET_ACCESS_KEY '${SECRET}';`,
      `set -gx AWS_SESSION_TOKEN '${TOKEN}';`,
      "set -gx AWS_CREDENTIAL_EXPIRATION '2030-01-02T03:04:05Z';",
      "set -gx AWS_REGION 'eu-west-1';",
      "set -gx AWS_DEFAULT_REGION 'eu-west-1';",
      `set -gx ASSUME_ROLE_ARN '${ROLE}';`,
      `set -gx ASSUME_ROLE_CHAIN '${CHAIN}';`,
      "set -gx ASSUME_ROLE_ACCESS_KEY_ID 'ASIAIOSFODNN7EXAMPLE';",
      "if set -q -g AWS_PROFILE; set -e -g AWS_PROFILE; end; if set -q -U -x AWS_PROFILE; echo 'assume-role: universal variable AWS_PROFILE stays exported (erase it: set -e -U AWS_PROFILE)' >&2; end;",
      fishClear("AWS_DEFAULT_PROFILE"),
      fishClear("AWS_SECURITY_TOKEN"),
    ),
    long: lines(
      "set -gx AWS_ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE';",
      `set -gx AWS_SECRET_ACCESS_KEY '${SECRET}';`,
      "set -gx ASSUME_ROLE_ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE';",
      ...LONG_CLEARED.map(fishClear),
    ),
  },
  nu: {
    temp: lines(
      "hide-env --ignore-errors AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN",
      `load-env {AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "${SECRET}", AWS_SESSION_TOKEN: "${TOKEN}", ` +
        `AWS_CREDENTIAL_EXPIRATION: "2030-01-02T03:04:05Z", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1", ` +
        `ASSUME_ROLE_ARN: "${ROLE}", ASSUME_ROLE_CHAIN: "${CHAIN}", ASSUME_ROLE_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE"}`,
    ),
    long: lines(
      `hide-env --ignore-errors ${LONG_CLEARED.join(" ")}`,
      `load-env {AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "${SECRET}", ASSUME_ROLE_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE"}`,
    ),
  },
  powershell: { temp: PS_TEMP, long: PS_LONG },
  pwsh: { temp: PS_TEMP, long: PS_LONG },
  cmd: {
    temp: lines(
      'set "AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE"',
      `set "AWS_SECRET_ACCESS_KEY=${SECRET}"`,
      `set "AWS_SESSION_TOKEN=${TOKEN}"`,
      'set "AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z"',
      'set "AWS_REGION=eu-west-1"',
      'set "AWS_DEFAULT_REGION=eu-west-1"',
      `set "ASSUME_ROLE_ARN=${ROLE}"`,
      `set "ASSUME_ROLE_CHAIN=${CHAIN}"`,
      'set "ASSUME_ROLE_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE"',
      "set AWS_PROFILE=",
      "set AWS_DEFAULT_PROFILE=",
      "set AWS_SECURITY_TOKEN=",
    ),
    long: lines(
      'set "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"',
      `set "AWS_SECRET_ACCESS_KEY=${SECRET}"`,
      'set "ASSUME_ROLE_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"',
      ...LONG_CLEARED.map((n) => `set ${n}=`),
    ),
  },
  json: {
    temp: lines(
      "{",
      '  "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",',
      `  "SecretAccessKey": "${SECRET}",`,
      `  "SessionToken": "${TOKEN}",`,
      '  "Expiration": "2030-01-02T03:04:05Z",',
      '  "Region": "eu-west-1",',
      `  "RoleArn": "${ROLE}",`,
      `  "AssumedRoleArn": "${ASSUMED}"`,
      "}",
    ),
    long: lines("{", '  "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",', `  "SecretAccessKey": "${SECRET}"`, "}"),
  },
  process: {
    temp: lines(
      "{",
      '  "Version": 1,',
      '  "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",',
      `  "SecretAccessKey": "${SECRET}",`,
      `  "SessionToken": "${TOKEN}",`,
      '  "Expiration": "2030-01-02T03:04:05Z"',
      "}",
    ),
    long: lines("{", '  "Version": 1,', '  "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",', `  "SecretAccessKey": "${SECRET}"`, "}"),
  },
  dotenv: DOTENV,
  // stdout of -f github is only the mask lines; the variables go to $GITHUB_ENV (test/unit/formatters-ci.test.ts).
  github: {
    temp: lines("::add-mask::ASIAIOSFODNN7EXAMPLE", `::add-mask::${SECRET}`, `::add-mask::${TOKEN}`),
    long: lines("::add-mask::AKIAIOSFODNN7EXAMPLE", `::add-mask::${SECRET}`),
  },
  // STS-shaped values need no quoting: a GitLab report reads exactly like a dotenv file.
  // GitLab keeps quotes as written: values go bare.
  gitlab: { ...DOTENV, temp: DOTENV.temp.replace(`ASSUME_ROLE_CHAIN='${CHAIN}'`, `ASSUME_ROLE_CHAIN=${CHAIN}`) },
};

describe("exact output per format", () => {
  it.each(FORMAT_NAMES)("%s: temporary credentials with token, expiry, region and role", (name) => {
    expect(FORMATS[name](TEMP)).toBe(EXPECTED[name].temp);
  });
  it.each(FORMAT_NAMES)("%s: long-term credentials (no token, no expiry)", (name) => {
    expect(FORMATS[name](LONG)).toBe(EXPECTED[name].long);
  });
  it.each(FORMAT_NAMES)("%s: output ends with exactly one newline", (name) => {
    for (const input of [TEMP, LONG, only([["A", "x"]]), only([], ["B"])]) {
      const out = FORMATS[name](input);
      expect(out.endsWith("\n")).toBe(true);
      expect(out.endsWith("\n\n")).toBe(false);
    }
  });
});

describe("registry", () => {
  it("lists canonical names and aliases for --format", () => {
    expect(FORMAT_NAMES).toEqual(["sh", "bash", "zsh", "fish", "nu", "powershell", "pwsh", "cmd", "json", "process", "dotenv", "github", "gitlab"]);
    expect(SHELL_FORMAT_NAMES).toEqual(["sh", "bash", "zsh", "fish", "nu", "powershell", "pwsh", "cmd"]);
  });
  it("aliases share one formatter", () => {
    expect(getFormatter("bash")).toBe(FORMATS.sh);
    expect(getFormatter("zsh")).toBe(FORMATS.sh);
    expect(getFormatter("pwsh")).toBe(FORMATS.powershell);
  });
  it("returns undefined for unknown names, including Object.prototype keys", () => {
    for (const name of ["", "SH", "csh", "GitHub", "toString", "__proto__", "constructor", "hasOwnProperty"]) {
      expect(getFormatter(name)).toBeUndefined();
    }
  });
  it("is frozen", () => {
    expect(Object.isFrozen(FORMATS)).toBe(true);
    expect(Object.isFrozen(FORMAT_NAMES)).toBe(true);
  });
});

describe("quoting", () => {
  it("sh: closes, escapes and reopens single quotes; everything else is literal", () => {
    expect(shQuote("")).toBe("''");
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shQuote("$(id) `id` \\ ! \n é")).toBe("'$(id) `id` \\ ! \n é'");
  });
  it("fish: escapes \\ and ', puts line breaks outside the quotes", () => {
    expect(fishQuote("")).toBe("''");
    expect(fishQuote("a\\b'c")).toBe("'a\\\\b\\'c'");
    expect(fishQuote("x\ny\r\n")).toBe("'x'\\n'y'\\r\\n");
    expect(fishQuote("\n")).toBe("\\n");
    expect(fishQuote("$HOME (echo) *")).toBe("'$HOME (echo) *'");
  });
  it("powershell: doubles ' and the typographic single quotes; line breaks as `n / `r", () => {
    expect(psQuote("it's")).toBe("'it''s'");
    expect(psQuote("\u2018a\u2019b\u201ac\u201bd")).toBe("'\u2018\u2018a\u2019\u2019b\u201a\u201ac\u201b\u201bd'");
    expect(psQuote("a\r\nb")).toBe("'a' + \"`r\" + \"`n\" + 'b'");
    expect(psQuote('$x "y" `z')).toBe("'$x \"y\" `z'");
  });
  it("fish, powershell and dotenv keep each statement on one line, whatever the value", () => {
    // fish `eval (…)` and PowerShell `… | Invoke-Expression` read the output line by line.
    const input = only([["V", "one\ntwo\r\nthree\r"]], ["GONE"]);
    expect(FORMATS.fish(input).split("\n")).toHaveLength(3);
    expect(FORMATS.powershell(input).split("\n")).toHaveLength(3);
    expect(FORMATS.dotenv(input).split("\n")).toHaveLength(2);
  });
  it("dotenv: unquoted, then single quotes, then double quotes with \\n / \\r", () => {
    expect(dotenvValue("V", "ASIA/x+y=:@,.-_")).toBe("ASIA/x+y=:@,.-_");
    expect(dotenvValue("V", "")).toBe("''");
    expect(dotenvValue("V", 'a b #c "d" $HOME `e` \\f')).toBe("'a b #c \"d\" $HOME `e` \\f'");
    expect(dotenvValue("V", "it's\nok\r")).toBe('"it\'s\\nok\\r"');
  });
});

describe("invalid variable names", () => {
  const BAD = ["", "1ABC", "A-B", "A B", "A=B", "Ä", "$(id)", "A;B", "A\nB"];
  it.each(["sh", "fish", "powershell", "cmd", "dotenv"] as const)("%s throws for bad names in set", (name) => {
    for (const bad of BAD) expect(() => FORMATS[name](only([[bad, "v"]]))).toThrow(/invalid environment variable name/);
  });
  it.each(["sh", "fish", "powershell", "cmd"] as const)("%s throws for bad names in unset", (name) => {
    for (const bad of BAD) expect(() => FORMATS[name](only([], [bad]))).toThrow(/invalid environment variable name/);
  });
  it("accepts the full name grammar", () => {
    expect(FORMATS.sh(only([["_a1", "v"], ["Z_9", "w"]]))).toBe("export _a1='v'\nexport Z_9='w'\n");
  });
});

/** Run a formatter expecting an UnrepresentableValueError; check it names the variable, never the value. */
function refusal(format: FormatName, value: string, variable = "AWS_SECRET_ACCESS_KEY"): UnrepresentableValueError {
  let caught: unknown;
  try {
    FORMATS[format](only([[variable, value]]));
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UnrepresentableValueError);
  const err = caught as UnrepresentableValueError;
  expect(err.variable).toBe(variable);
  expect(err.message).toContain(variable);
  if (value !== "") {
    expect(err.message).not.toContain(value);
    expect(JSON.stringify(err)).not.toContain(value);
  }
  return err;
}

describe("values no environment variable can hold", () => {
  it.each(["sh", "fish", "powershell", "cmd", "dotenv"] as const)("%s refuses NUL and unpaired surrogates", (name) => {
    expect(refusal(name, "secretpart\0secretpart").rule).toMatch(/NUL/);
    expect(refusal(name, "secretpart\ud800secretpart").rule).toMatch(/surrogate/);
  });
  it("is a usage error (exit 2) with a hint", () => {
    const err = refusal("sh", "abc\0def");
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toBeTruthy();
  });
  it("json and process carry any string (JSON escapes it)", () => {
    const weird = "a\0b\ud800c\n\"'";
    const creds = { accessKeyId: weird, secretAccessKey: weird };
    expect(JSON.parse(FORMATS.json({ ...only([]), credentials: creds })).AccessKeyId).toBe(weird);
    expect(JSON.parse(FORMATS.process({ ...only([]), credentials: creds })).SecretAccessKey).toBe(weird);
  });
});

describe("cmd", () => {
  it.each([
    ["carriage return", "abc\rdef", /line break/],
    ["line feed", "abc\ndef", /line break/],
    ["double quote", 'abc"def', /"/],
    ["percent", "abc%PATH%def", /%/],
    ["exclamation mark", "abc!x!def", /!/],
    ["tab", "abc\tdef", /control or non-ASCII/],
    ["non-ASCII", "abcédef", /control or non-ASCII/],
    ["emoji", "abc😀def", /control or non-ASCII/],
    ["empty", "", /empty/],
  ])("refuses a value with a %s, naming the variable and the rule", (_what, value, rule) => {
    expect(refusal("cmd", value).rule).toMatch(rule);
  });
  it("accepts STS values and characters that are literal inside set \"…\"", () => {
    const ok = ["ASIA/x+y==", "2030-01-02T03:04:05Z", "arn:aws:sts::1:assumed-role/R/a@b.c", "a ^ & | < > ( ) ' ` ~ * ? ; , = b ", " lead"];
    const out = FORMATS.cmd(only(ok.map((v, i) => [`V${i}`, v] as const)));
    expect(out).toBe(`${ok.map((v, i) => `set "V${i}=${v}"`).join("\n")}\n`);
  });
});

describe("powershell", () => {
  it("refuses an empty value (assigning '' removes the variable)", () => {
    expect(refusal("powershell", "").rule).toMatch(/empty/);
  });
});

describe("dotenv", () => {
  it.each([
    ["${HOME}", /\$\{/],
    ["abc'${X}def", /\$\{/],
    ["it's a \\ path", /npm dotenv/],
    ['say "hi"\nthere', /npm dotenv/],
    ["cost: $5\nnext line", /compose/],
  ])("refuses %j (the rule is named, the value is not)", (value, rule) => {
    expect(refusal("dotenv", value).rule).toMatch(rule);
  });
  it("writes no unset lines: a dotenv file cannot remove variables", () => {
    expect(FORMATS.dotenv(only([["A", "1"]], ["AWS_PROFILE"]))).toBe("A=1\n");
  });
});

describe("json and process", () => {
  it("process output is credential_process v1: Version is the number 1", () => {
    const parsed = JSON.parse(FORMATS.process(TEMP)) as Record<string, unknown>;
    expect(parsed).toEqual({
      Version: 1,
      AccessKeyId: "ASIAIOSFODNN7EXAMPLE",
      SecretAccessKey: SECRET,
      SessionToken: TOKEN,
      Expiration: "2030-01-02T03:04:05Z",
    });
    expect(typeof parsed["Version"]).toBe("number");
  });
  it("process omits SessionToken and Expiration when absent, and never includes region or role", () => {
    expect(Object.keys(JSON.parse(FORMATS.process({ ...LONG, region: "eu-west-1", roleArn: ROLE })) as object)).toEqual([
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
    ]);
  });
  it("json omits every absent field instead of writing null", () => {
    const withRegionOnly: FormatInput = { ...LONG, region: "us-east-2" };
    expect(JSON.parse(FORMATS.json(withRegionOnly))).toEqual({
      AccessKeyId: "AKIAIOSFODNN7EXAMPLE",
      SecretAccessKey: SECRET,
      Region: "us-east-2",
    });
    expect(FORMATS.json(withRegionOnly)).not.toContain("null");
  });
  it("expiration is ISO 8601 UTC with seconds precision", () => {
    const creds = { ...tempCreds, expiration: new Date(Date.UTC(2031, 11, 31, 23, 59, 59, 999)) };
    expect(JSON.parse(FORMATS.json({ ...TEMP, credentials: creds })).Expiration).toBe("2031-12-31T23:59:59Z");
    expect(JSON.parse(FORMATS.process({ ...TEMP, credentials: creds })).Expiration).toBe("2031-12-31T23:59:59Z");
  });
});

describe("unset (nothing to set)", () => {
  const unset: ExportSet = buildUnsetSet();
  const input: FormatInput = { exports: unset, credentials: { accessKeyId: "", secretAccessKey: "" } };
  it("sh clears everything on one line", () => {
    expect(FORMATS.sh(input)).toBe(`unset ${unset.unset.join(" ")}\n`);
  });
  it("cmd and powershell clear one name per line", () => {
    expect(FORMATS.cmd(input)).toBe(lines(...unset.unset.map((n) => `set ${n}=`)));
    expect(FORMATS.powershell(input)).toBe(lines(...unset.unset.map((n) => `Remove-Item -ErrorAction SilentlyContinue Env:${n}`)));
  });
});
