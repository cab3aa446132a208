import { UsageError } from "../errors.js";
import { patchInstance, WorldError, type World } from "../sandbox/index.js";
import { parseSpan } from "./parse-span.js";

/** The flags of `assume-role sandbox` that change the instance IMDS describes (seed 004's states). */
export interface SandboxInstanceOptions {
  readonly imdsServedRole?: string | undefined;
  readonly imdsInstanceProfile?: string | undefined;
  readonly imdsCredentialsAge?: string | undefined;
}

/**
 * The world with the instance flags applied, each checked by the world file's rule for its key, plus how to name
 * them on the start-up line. Bad values: exit 2, one line naming the flag, the value and the rule.
 */
export function applyInstanceFlags(world: World, o: SandboxInstanceOptions): { world: World; shown: string[] } {
  const shown: string[] = [];
  const apply = (flag: string, value: string | undefined, patch: (value: string) => Parameters<typeof patchInstance>[1]) => {
    if (value === undefined) return;
    try {
      world = patchInstance(world, patch(value));
    } catch (err) {
      if (err instanceof WorldError) throw new UsageError(`${flag} '${value}': ${err.message}`);
      throw err;
    }
    shown.push(`${flag} ${value}`);
  };
  apply("--imds-served-role", o.imdsServedRole, (servedRole) => ({ servedRole }));
  apply("--imds-instance-profile", o.imdsInstanceProfile, (instanceProfile) => ({ instanceProfile }));
  apply("--imds-credentials-age", o.imdsCredentialsAge, (age) => {
    const seconds = parseSpan(age);
    if (seconds === undefined) throw new UsageError(`--imds-credentials-age '${age}': expected a time like 90m, 3h or 2h30m`);
    return { credentialsAgeSeconds: seconds };
  });
  return { world, shown };
}
