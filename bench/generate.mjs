// Manifests of a given size for the benchmarks: N streams with C durable consumers each.
export function manifestText(streams, consumersPerStream, { owner = "bench" } = {}) {
  const lines = ["version: 1", `owner: ${owner}`, "streams:"];
  for (let i = 0; i < streams; i++) {
    const name = `S${String(i).padStart(5, "0")}`;
    lines.push(
      `  - name: ${name}`,
      `    subjects: ["${name.toLowerCase()}.>"]`,
      "    max_age: 1d",
      "    consumers:",
    );
    for (let j = 0; j < consumersPerStream; j++) {
      lines.push(
        `      - name: c${j}`,
        "        ack_policy: explicit",
        `        filter_subject: ${name.toLowerCase()}.${j}`,
        "        max_deliver: 5",
        "        ack_wait: 30s",
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
