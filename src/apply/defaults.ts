/** Independent apply steps in flight at once, unless --concurrency says otherwise (measured in bench/). */
export const DEFAULT_APPLY_CONCURRENCY = 32;
