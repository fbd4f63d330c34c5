// The JetStream API's error codes (`err_code` in an error answer) that jsplan acts on, named as nats-server
// names them in server/errors.json (`JSStreamNotFoundErr` is `StreamNotFound`), the way nats.js does. The
// HTTP-like `code` of an answer says little: 10059 and 10014 are both 404, 10039 is a 503 that never passes.

export const ApiErrorCode = {
  /** resource limits exceeded for account */
  AccountResourcesExceeded: 10002,
  /** JetStream system temporarily unavailable (no meta leader yet) */
  ClusterNotAvail: 10008,
  /** consumer name already in use (e.g. a push consumer's deliver_subject still has a subscriber) */
  ConsumerNameExist: 10013,
  ConsumerNotFound: 10014,
  InsufficientResources: 10023,
  MaximumConsumersLimit: 10026,
  MaximumStreamsLimit: 10027,
  MemoryResourcesExceeded: 10028,
  /** no message found (STREAM.MSG.GET, STREAM.MSG.DELETE) */
  NoMessageFound: 10037,
  /** JetStream not enabled for account */
  NotEnabledForAccount: 10039,
  StorageResourcesExceeded: 10047,
  /** "error creating store for stream" and the like: the create failed on the server */
  StreamCreate: 10049,
  /** stream name already in use with a different configuration */
  StreamNameExist: 10058,
  StreamNotFound: 10059,
  /** subjects overlap with an existing stream */
  StreamSubjectOverlap: 10065,
  /** the update failed on the server, e.g. "change to limits violates consumers" */
  StreamUpdate: 10069,
  /** wrong last sequence: a publish with Nats-Expected-Last-Subject-Sequence that does not match */
  StreamWrongLastSequence: 10071,
  /** replicas > 1 not supported in non-clustered mode */
  StreamReplicasNotSupported: 10074,
  /** multiple non-filtered consumers not allowed on workqueue stream */
  ConsumerWQMultipleUnfiltered: 10099,
  /** filtered consumer not unique on workqueue stream */
  ConsumerWQConsumerNotUnique: 10100,
  /** account requires a stream config to have max bytes set */
  StreamMaxBytesRequired: 10113,
  /** no JetStream default or applicable tiered limit present (a tiered account without a tier for R<n>) */
  NoLimits: 10120,
  /** stream max bytes exceeds account limit max stream bytes */
  StreamMaxStreamBytesExceeded: 10122,
  ConsumerAlreadyExists: 10148,
  ConsumerDoesNotExist: 10149,
} as const;
