/** An environment or config value, with blank counted as unset (as the SDKs treat AWS_* variables). */
export function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
