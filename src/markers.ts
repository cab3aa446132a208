/**
 * The marker variables a run exports beside the credentials, so a later run can tell its own exports from
 * ambient credentials. Here, at the bottom of the tree, because outputs write them and the plan and the
 * environment source read them.
 */
export const MARKER_ROLE_ARN = "ASSUME_ROLE_ARN";
export const MARKER_KEY_ID = "ASSUME_ROLE_ACCESS_KEY_ID";
/** The chain that made the exports: the source, then every role (src/chain-marker.ts writes and reads it). */
export const MARKER_CHAIN = "ASSUME_ROLE_CHAIN";
