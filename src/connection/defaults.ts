/** Where jsplan connects when nothing says otherwise: the `nats` CLI's defaults. */
export const DEFAULT_SERVER = "nats://127.0.0.1:4222";
export const DEFAULT_TIMEOUT_MS = 5000;
