// `ofsearch mcp` driven by the official MCP TypeScript SDK, as an assistant's host would: the
// 1.x SDK (@modelcontextprotocol/sdk: the initialize handshake, 2025-11-25) and the v2 client
// (@modelcontextprotocol/client: server/discover and per-request _meta, 2026-07-28, pinned and
// negotiated). Each connects over stdio, lists the tools, searches, reads the first hit's
// section, and sends bad arguments. Run by test_mcp.py from the npm cache:
// node mcp_client.mjs OFSEARCH DB. Prints "ok - …" / "FAIL - …"; exit 1 on a failure.
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";

const [ofsearch, db] = process.argv.slice(2);
let failures = 0;
function check(cond, what, detail) {
  console.log(`${cond ? "ok  " : "FAIL"} - ${what}${cond || detail === undefined ? "" : ": " + JSON.stringify(detail).slice(0, 600)}`);
  if (!cond) failures++;
}

async function rejects(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

// The same session, whichever SDK: tools, a search, a section, bad arguments.
async function session(label, client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort().join();
  check(names === "read_section,search", `${label}: tools/list`, names);
  const search = tools.find((t) => t.name === "search");
  check(search?.inputSchema?.required?.includes("query") && search.annotations?.readOnlyHint === true,
    `${label}: search's input schema`, search);

  const res = await client.callTool({ name: "search", arguments: { query: "argo cd projects", limit: 3 } });
  const hits = res.structuredContent?.hits ?? [];
  check(!res.isError && hits.length === 3 && res.content?.[0]?.type === "text" &&
    hits.every((h) => h.title && h.breadcrumb && h.url && h.section && typeof h.snippet === "string"),
    `${label}: search returns hits with title, breadcrumb, url, section, snippet`, res);
  check(/\[1\] /.test(res.content?.[0]?.text ?? ""), `${label}: the hits as text for the model`);

  const filtered = await client.callTool({ name: "search", arguments: { query: "cluster", kind: "faq", limit: 5 } });
  const kinds = (filtered.structuredContent?.hits ?? []).map((h) => h.kind);
  check(kinds.length > 0 && kinds.every((k) => k === "faq"), `${label}: search with kind`, kinds);
  const viaFilter = await client.callTool({ name: "search", arguments: { query: "cluster", filter: "kind IN [term, faq]" } });
  check((viaFilter.structuredContent?.hits ?? []).every((h) => h.kind === "term" || h.kind === "faq") &&
    viaFilter.structuredContent?.hits?.length > 0, `${label}: search with a filter`);

  const first = hits[0] ?? {};
  const sec = await client.callTool({ name: "read_section", arguments: { section: first.section } });
  const md = sec.content?.[0]?.text ?? "";
  check(!sec.isError && md.length > 20 && sec.structuredContent?.title === first.title,
    `${label}: read_section of the first hit (${first.section})`, sec);
  check(/^#{1,6} /m.test(md) || /\*\*/.test(md), `${label}: the section is Markdown`, md.slice(0, 200));
  const byUrl = await client.callTool({ name: "read_section", arguments: { section: first.url } });
  check(byUrl.content?.[0]?.text === md, `${label}: read_section by url = by section`);

  // bad arguments: results the model can read and correct, not protocol errors
  const noQuery = await client.callTool({ name: "search", arguments: {} });
  check(noQuery.isError === true && /query/.test(noQuery.content?.[0]?.text), `${label}: search without a query`, noQuery);
  const badLimit = await client.callTool({ name: "search", arguments: { query: "x", limit: 500 } });
  check(badLimit.isError === true && /limit/.test(badLimit.content?.[0]?.text), `${label}: a limit out of range`, badLimit);
  const badFilter = await client.callTool({ name: "search", arguments: { query: "x", filter: "title = y" } });
  check(badFilter.isError === true && /not filterable/.test(badFilter.content?.[0]?.text), `${label}: a bad filter`, badFilter);
  const missing = await client.callTool({ name: "read_section", arguments: { section: "nowhere.md#nothing" } });
  check(missing.isError === true, `${label}: read_section of nothing`, missing);
  const extra = await client.callTool({ name: "read_section", arguments: { section: first.section, colour: "red" } });
  check(extra.isError === true, `${label}: an unknown argument`, extra);
  // an unknown tool is a protocol error
  const err = await rejects(client.callTool({ name: "delete_everything", arguments: {} }));
  check(err && /Unknown tool/.test(String(err.message ?? err)), `${label}: an unknown tool`, String(err));
}

// 1.x SDK: the initialize handshake
{
  const client = new ClientV1({ name: "ofsearch-test", version: "1.0.0" });
  await client.connect(new StdioV1({ command: ofsearch, args: ["mcp", "--db", db], stderr: "inherit" }));
  check(client.getServerVersion()?.name === "ofsearch", "sdk 1.x: initialize, serverInfo", client.getServerVersion());
  check(/read_section/.test(client.getInstructions() ?? ""), "sdk 1.x: instructions");
  await session("sdk 1.x (2025-11-25)", client);
  await client.close();
}

// v2 client, pinned to the stateless revision, and negotiating by itself
for (const [label, mode] of [["client v2 pinned 2026-07-28", { pin: "2026-07-28" }], ["client v2 auto", "auto"]]) {
  const client = new ClientV2({ name: "ofsearch-test", version: "2.0.0" }, { versionNegotiation: { mode } });
  await client.connect(new StdioV2({ command: ofsearch, args: ["mcp", "--db", db], stderr: "inherit" }));
  check(client.getNegotiatedProtocolVersion() === "2026-07-28", `${label}: negotiated 2026-07-28`,
    [client.getNegotiatedProtocolVersion(), client.getProtocolEra?.()]);
  await session(label, client);
  await client.close();
}

process.exit(failures ? 1 : 0);
