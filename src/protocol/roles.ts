// Worker roles of a deployment: aggregated (prefill + decode), or the two halves of disaggregated serving.

export type Role = 'agg' | 'prefill' | 'decode';

export const ROLES: readonly Role[] = ['agg', 'prefill', 'decode'];
