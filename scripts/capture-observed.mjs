#!/usr/bin/env node
// Writes what a live server holds as an observed-state fixture for golden plan tests
// (test/fixtures/plans/<case>/observed.json), using jsplan's own observe stage.
//   node scripts/capture-observed.mjs nats://127.0.0.1:4222 > observed.json
import { openSession } from "../dist/src/connection/session.js";
import { observe } from "../dist/src/observe/observe.js";

const url = process.argv[2] ?? "nats://127.0.0.1:4222";
const session = await openSession({ servers: [url], timeoutMs: 5000 });
try {
  const o = await observe(session.api, session.info, session.account);
  const strip = ({ created: _c, ...rest }) => rest;
  const fixture = {
    server: {
      version: o.server.version,
      cluster: o.server.cluster,
      domain: o.server.domain,
      clustered: o.server.clustered,
    },
    streams: [...o.streams.values()].map((s) =>
      strip({ config: s.config, created: s.created, state: s.state }),
    ),
    consumers: [...o.consumers.values()].map((c) =>
      strip({ stream: c.stream, config: c.config, created: c.created }),
    ),
  };
  process.stdout.write(`${JSON.stringify(fixture, null, 2)}\n`);
} finally {
  await session.close();
}
