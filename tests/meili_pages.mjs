// Two plain pages from another origin, pointed at a live ofsearchd with an API key, in headless
// Chromium as a person uses them (playwright-core driving Debian's chromium):
//  - InstantSearch.js + instant-meilisearch: type a query, see highlighted hits, click a kind in
//    the refinement list, go to page 2, open a result and land on its section;
//  - meilisearch-docsearch: open the modal, type, see hits grouped by collection with
//    highlights, press Enter and land on the first hit's section.
// Run by test_meili_pages.py from the npm cache: node meili_pages.mjs PAGES_ORIGIN DAEMON_ORIGIN
// OUT_DIR CHROMIUM. Prints "ok - …" / "FAIL - …"; exit 1 on a failure.
import { chromium } from "playwright-core";

const [pages, daemon, outDir, executablePath] = process.argv.slice(2);
let failures = 0;
function check(cond, what, detail) {
  console.log(`${cond ? "ok  " : "FAIL"} - ${what}${cond || detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
  if (!cond) failures++;
}

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext();
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => {
  // a failed load is reported below with its url (browsers ask every origin for a favicon)
  if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
});
page.on("response", (r) => {
  if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) errors.push(`${r.status()} ${r.url()}`);
});

// After following a hit: a /doc/ page of the daemon whose url names a section that is there.
async function landedOnSection(what) {
  await page.waitForLoadState("domcontentloaded");
  const url = new URL(page.url());
  const id = decodeURIComponent(url.hash.slice(1));
  const found = id ? await page.$(`[id="${id.replace(/"/g, '\\"')}"]`) : null;
  const heading = found ? (await found.textContent()).trim() : "";
  check(url.origin === daemon && url.pathname.startsWith("/doc/") && id && found,
    `${what}: landed on ${url.pathname}#${id} (${heading})`, page.url());
  return heading;
}

try {
  // ---- InstantSearch ----
  await page.goto(`${pages}/instantsearch.html`);
  await page.waitForSelector(".ais-SearchBox-input");
  await page.fill(".ais-SearchBox-input", "cluster");
  await page.waitForFunction(() =>
    document.querySelectorAll(".ais-Hits-item").length > 0 &&
    document.querySelector(".ais-Hits-item mark"));
  const titles = await page.$$eval(".hit-title", (els) => els.map((e) => e.innerHTML));
  check(titles.length === 4 && titles.some((t) => /<mark[^>]*>cluster/i.test(t)),
    "InstantSearch: 4 hits, titles highlighted", titles);
  const snippets = await page.$$eval(".hit-content mark", (els) => els.length);
  check(snippets > 0, "InstantSearch: content snippets highlighted", snippets);
  const kinds = await page.$$eval("#kind .ais-RefinementList-labelText", (els) => els.map((e) => e.textContent));
  const colls = await page.$$eval("#collection .ais-RefinementList-labelText", (els) => els.map((e) => e.textContent));
  check(kinds.includes("faq") && kinds.includes("section") && colls.includes("docs") && colls.includes("other"),
    "InstantSearch: refinement lists on kind and collection", { kinds, colls });
  await page.screenshot({ path: `${outDir}/instantsearch.png`, fullPage: true });
  // page 2
  const first = await page.$$eval(".hit-title", (els) => els.map((e) => e.textContent).join("|"));
  const next = await page.$(".ais-Pagination-item--page:not(.ais-Pagination-item--selected) a");
  check(next !== null, "InstantSearch: a second page to go to");
  if (next) {
    await next.click();
    await page.waitForFunction((f) =>
      [...document.querySelectorAll(".hit-title")].map((e) => e.textContent).join("|") !== f, first);
    check(await page.$eval(".ais-Pagination-item--selected", (e) => e.textContent.trim()) === "2",
      "InstantSearch: page 2 shows other hits");
  }
  // a facet click narrows the hits
  await page.click("#kind .ais-RefinementList-item:has-text('section') input");
  await page.waitForFunction(() => {
    const ks = [...document.querySelectorAll(".hit-kind")].map((e) => e.textContent);
    return ks.length && ks.every((k) => k === "section");
  });
  check(true, "InstantSearch: clicking kind=section leaves only sections");
  // open a result
  const target = await page.$eval(".hit-link", (a) => ({ href: a.href, title: a.textContent.trim() }));
  await page.click(".hit-link");
  await page.waitForURL((u) => u.pathname.startsWith("/doc/"));
  const heading = await landedOnSection("InstantSearch: opened a result");
  check(heading && target.title.includes(heading.replace(/\s*#\s*$/, "").trim().slice(0, 10)),
    "InstantSearch: the section is the hit's", { heading, title: target.title });

  // ---- DocSearch ----
  await page.goto(`${pages}/docsearch.html`);
  await page.click(".docsearch-btn");
  await page.waitForSelector(".docsearch-modal-search-input");
  await page.fill(".docsearch-modal-search-input", "upgrades");
  await page.waitForSelector(".docsearch-modal-search-hits-item");
  const cats = await page.$$eval(".docsearch-modal-search-hits-category", (els) => els.map((e) => e.textContent.trim()));
  const hl = await page.$$eval(".docsearch-modal-search-hits-item--highlight", (els) => els.map((e) => e.textContent));
  const itemTitles = await page.$$eval(".docsearch-modal-search-hits-item-title", (els) => els.map((e) => e.textContent));
  check(cats.length > 0 && cats.every((c) => c === "docs" || c === "other"),
    "DocSearch: hits grouped by collection (hierarchy_lvl0)", cats);
  check(hl.some((h) => /upgrade/i.test(h)), "DocSearch: highlighted matches", hl);
  check(itemTitles.some((t) => /Cluster upgrades/.test(t)), "DocSearch: page | section titles", itemTitles);
  await page.screenshot({ path: `${outDir}/docsearch.png` });
  const href = await page.$eval(".docsearch-modal-search-hits-item a", (a) => a.href);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname.startsWith("/doc/"));
  check(page.url() === href, "DocSearch: Enter opens the first hit", [page.url(), href]);
  const h2 = await landedOnSection("DocSearch: opened a result");
  check(/upgrade/i.test(h2), "DocSearch: on the section about upgrades", h2);
} catch (e) {
  check(false, "the pages ran to the end", String(e));
  await page.screenshot({ path: `${outDir}/failure.png`, fullPage: true }).catch(() => {});
}
check(errors.length === 0, "no errors in the pages' consoles", errors);
await browser.close();
process.exit(failures ? 1 : 0);
