/**
 * Tiny helpers for validating untyped JSON (world files, policy documents).
 * A failure is a ShapeError naming the path of the offending object and the rule it broke;
 * parseWorld turns it into a one-line WorldError prefixed with the file's origin.
 */
export class ShapeError extends Error {
  readonly path: string;
  readonly rule: string;
  constructor(path: string, rule: string) {
    super(path === "" ? rule : `${path}: ${rule}`);
    this.name = "ShapeError";
    this.path = path;
    this.rule = rule;
  }
}

export type JsonObject = Record<string, unknown>;

export function fail(path: string, rule: string): never {
  throw new ShapeError(path, rule);
}

export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `what` is used in the message: "<what> must be an object". */
export function expectObject(value: unknown, path: string, what: string): JsonObject {
  if (!isObject(value)) fail(path, `${what} must be an object`);
  return value;
}

export function rejectUnknownKeys(obj: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path, `unknown field "${key}" (allowed: ${allowed.join(", ")})`);
  }
}

export interface StringRule {
  readonly pattern?: RegExp;
  readonly patternText?: string;
  readonly min?: number;
  readonly max?: number;
}

export function expectString(obj: JsonObject, key: string, path: string, rule: StringRule = {}): string {
  const value = obj[key];
  if (value === undefined) fail(path, `${key} is required`);
  return checkString(value, key, path, rule);
}

export function optionalString(obj: JsonObject, key: string, path: string, rule: StringRule = {}): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return checkString(value, key, path, rule);
}

function checkString(value: unknown, key: string, path: string, rule: StringRule): string {
  if (typeof value !== "string") fail(path, `${key} must be a string`);
  if (rule.min !== undefined && value.length < rule.min) fail(path, `${key} must be at least ${rule.min} characters`);
  if (rule.max !== undefined && value.length > rule.max) fail(path, `${key} must be at most ${rule.max} characters`);
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    fail(path, `${key} must match ${rule.patternText ?? String(rule.pattern)} (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function optionalInteger(
  obj: JsonObject,
  key: string,
  path: string,
  min: number,
  max: number,
): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `${key} must be an integer`);
  if (value < min || value > max) fail(path, `${key} must be between ${min} and ${max} (got ${value})`);
  return value;
}

/** A JSON value that is a string or an array of strings, as policy fields are written. */
export function stringList(value: unknown, key: string, path: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) fail(path, `${key} must not be an empty array`);
  return items.map((item) => {
    if (typeof item !== "string") fail(path, `${key} must be a string or an array of strings`);
    return item;
  });
}
