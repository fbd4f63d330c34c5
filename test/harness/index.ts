// The test harness: real nats-server processes for tests. See DEVELOPERS.md, "Tests".
//
//   for (const line of serverLines()) {
//     describe(`nats-server ${line}`, () => {
//       serverTest("creates a stream", { line }, async (t, server) => {
//         const nc = await connectTo(server); // closed when the server stops
//         ...
//       });
//       it("survives a crash", (t) =>
//         withCluster(t, { line }, async (cluster) => {
//           await cluster.servers[0]!.kill();
//           ...
//         }));
//     });
//   }
//
// Faults: server.kill() (SIGKILL by default) and restart(), server.pause()/resume() (SIGSTOP/SIGCONT: the
// connections stay open and nothing answers), and startProxy(server), a TCP proxy whose cut()/restore()
// drop all connections and refuse new ones for a while (see test/faults/).
//
// Servers are always torn down: by stop() (withServer/withCluster call it), else when the test process exits
// or is interrupted, else (test process SIGKILLed) by the next run. Logs of failed bodies go to test-logs/.
export { type NatsCluster, type StartClusterOptions, startCluster } from "./cluster.js";
export { type ConnectTarget, connectTo, waitConnected, withConnection } from "./connect.js";
export {
  isServerLine,
  provisionedVersion,
  type ServerLine,
  SUPPORTED_LINES,
  serverBinary,
  serverLines,
} from "./lines.js";
export {
  clusterTest,
  keepLogs,
  keepLogsOnFailure,
  type LogSource,
  sanitizeTestName,
  serverTest,
  type TestLike,
  type TestOptions,
  withCluster,
  withServer,
} from "./logs.js";
export {
  type JwtJetStreamLimits,
  type OperatorAccount,
  type OperatorAccountSpec,
  type OperatorSetup,
  operatorSetup,
} from "./operator.js";
export { testLogsDir } from "./paths.js";
export { type ProxyTarget, startProxy, type TcpProxy } from "./proxy.js";
export { reapStaleServers } from "./reaper.js";
export {
  type ExitStatus,
  type NatsServer,
  ServerStartError,
  type StartServerOptions,
  startServer,
} from "./server.js";
