// report.html in a real browser: every fixture scenario observed on loopback, written by the evidence
// bundle writer, opened from file:// in Chromium (puppeteer-core, the system's browser, no download).
// UPDATE_SCREENSHOTS=1 also writes the README's picture of an incomplete chain.
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { makeHostilePki } from '../helpers/hostile-pki.js';
import { makeFixtures, ROOT, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust, observeScenario } from '../helpers/observe.js';
import { makeTestCa } from '../helpers/pki.js';
import { observeScenarios } from '../helpers/records.js';
import { writeEvidenceBundle } from '../../src/report/evidence-bundle.js';
import type { HandshakeRecord } from '../../src/types.js';

function findChromium(): string | null {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const chromium = findChromium();
// CI installs chromium (.ci/run): there a missing browser fails the test instead of skipping it.
const skipped = chromium || process.env.CI ? '' : ' [skipped: no `chromium` on PATH; apt-get install chromium]';
if (skipped) console.log(`# chain-html-browser:${skipped}`);
const run = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
  (skipped ? test.skip : test.serial)(`${title}${skipped}`, fn);

/** A name that would run script, break out of an attribute or load an image if it were not escaped. */
const HOSTILE_NAME = `<script>document.title='pwned'</script>"><img src=x onerror="document.title='pwned'">'`;

let fixtures: Fixtures;
let browser: Browser | undefined;
/** One tab for every report (a new tab per page costs more than the page): what it saw since the last load. */
let page: Page;
let seenUrl = '';
let errors: string[] = [];
let requests: string[] = [];
const pages: Record<string, { file: string; record: HandshakeRecord }> = {};

async function observeHostile(
  name: string,
  trustPems: string[],
  sent: string[],
  keyPem: string,
  host: string,
): Promise<HandshakeRecord> {
  const scenario: Scenario = { name, host, sent, keyPem, problem: 'unknown-ca', opensslCode: 20 };
  const server = await startScenarioServer(scenario);
  try {
    return await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki, trustPems));
  } finally {
    await server.close();
  }
}

test.before(async () => {
  if (!chromium) return;
  const launching = import('puppeteer-core').then((p) =>
    p.default.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--headless=new'] }),
  );
  fixtures = await makeFixtures();
  const records = await observeScenarios(fixtures, Object.keys(fixtures.pki.scenarios));
  // Markup in the subject and SAN: a CA and leaf with that name, trusted as an extra CA so the path reaches it.
  const markupCa = await makeTestCa(HOSTILE_NAME);
  const markupLeaf = await markupCa.issue(['markup.test']);
  records.markup = await observeHostile('markup', [markupCa.pem], [markupLeaf.pem], markupLeaf.keyPem, 'markup.test');
  // Terminal and bidi controls in subject, issuer, SAN and AIA URL; its root unknown (the gap names it).
  const controls = await makeHostilePki();
  records.controls = await observeHostile('controls', [], [controls.leafPem], controls.keyPem, controls.host);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-report-html-'));
  for (const [name, record] of Object.entries(records)) {
    const bundle = join(dir, name);
    await writeEvidenceBundle({ path: bundle, record, env: {} });
    pages[name] = { file: join(bundle, 'report.html'), record };
  }
  browser = await launching;
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  page.on('request', (request) => {
    if (request.url() !== seenUrl) requests.push(request.url());
  });
});

test.after.always(async () => {
  await browser?.close();
  await fixtures?.close();
});

interface Seen {
  errors: string[];
  requests: string[];
  title: string;
  certs: number;
  gaps: Array<{ text: string; border: string }>;
  anchors: number;
  scripts: number;
  images: number;
  subjects: string[];
  stores: string[];
  table: boolean;
}

async function open(name: string, screenshot?: string): Promise<Seen> {
  const { file } = pages[name]!;
  const url = pathToFileURL(file).href;
  seenUrl = url;
  errors = [];
  requests = [];
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response?.ok() && response?.status() !== 0) errors.push(`status ${response?.status()}`);
  const seen = await page.evaluate(() => ({
    title: document.title,
    certs: document.querySelectorAll('[data-box="cert"]').length,
    gaps: [...document.querySelectorAll('[data-box="gap"]')].map((el) => ({
      text: el.textContent ?? '',
      border: getComputedStyle(el).borderTopStyle,
    })),
    anchors: document.querySelectorAll('[data-box="anchor"]').length,
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    subjects: [...document.querySelectorAll('[data-box="cert"] h3, [data-box="anchor"] div')].map(
      (el) => el.textContent ?? '',
    ),
    stores: [...document.querySelectorAll('[data-store]')].map((el) => el.getAttribute('data-store') ?? ''),
    table: document.querySelector('[data-table="them-or-us"] tbody tr') !== null,
  }));
  if (screenshot) await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
  return { errors, requests, ...seen };
}

run(
  'every fixture scenario: the page loads from file:// with no error, no request, no script, a box per certificate sent',
  async (t) => {
    t.truthy(chromium, 'no chromium on PATH: CI installs it (.ci/run); elsewhere apt-get install chromium');
    t.true(Object.keys(pages).length >= 20);
    for (const [name, { record }] of Object.entries(pages)) {
      const seen = await open(name);
      t.deepEqual(seen.errors, [], name);
      t.deepEqual(seen.requests, [], name);
      t.is(seen.scripts, 0, name);
      t.is(seen.images, 0, name);
      t.is(seen.certs, record.chain.length, name);
      t.true(seen.table, name);
      if (record.chain.length) t.deepEqual(seen.stores, Object.keys(record.trust), name);
      // Every store that judged the chain ends its path somewhere: an anchor or a gap.
      if (record.chain.length)
        t.is(
          seen.anchors + seen.gaps.length,
          Object.values(record.trust).filter((v) => v !== 'not-configured').length,
          name,
        );
      for (const gap of seen.gaps) t.is(gap.border, 'dashed', `${name}: the gap is drawn dashed`);
    }
  },
);

run(
  'the incomplete chain: the missing intermediate is a dashed box with its AIA URL, and no store reaches an anchor',
  async (t) => {
    const screenshot =
      process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images', 'chain-incomplete.png') : undefined;
    if (screenshot) mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
    const seen = await open('incomplete', screenshot);
    const intermediate = 'CN=Fixture Public CA 1';
    t.is(seen.certs, 1);
    t.is(seen.anchors, 0);
    t.is(seen.gaps.length, 1);
    t.regex(seen.gaps[0]!.text, /missing intermediate: the server did not send it/);
    t.true(seen.gaps[0]!.text.includes(intermediate), seen.gaps[0]!.text);
    t.true(
      seen.gaps[0]!.text.includes(`AIA caIssuers: ${fixtures.aia.url}/public-intermediate.der`),
      seen.gaps[0]!.text,
    );
    t.is(seen.gaps[0]!.border, 'dashed');
  },
);

run('the valid chain: the path reaches the public root, no gap', async (t) => {
  const seen = await open('valid');
  t.is(seen.certs, 2);
  t.is(seen.gaps.length, 0);
  t.is(seen.anchors, 1);
});

run(
  'hostile names stay text in the browser: no script runs, no image loads, the title shows the name as written',
  async (t) => {
    const markup = await open('markup');
    t.deepEqual(markup.errors, []);
    t.deepEqual(markup.requests, []);
    t.is(markup.scripts, 0);
    t.is(markup.images, 0);
    t.regex(markup.title, /^TLS chain: markup\.test:\d+$/, 'no script set the title');
    t.true(
      markup.subjects.some(
        (subject) => subject.includes('<script') && subject.includes('<img src') && subject.includes('onerror'),
      ),
      markup.subjects.join(' | '),
    );
    t.is(markup.anchors, 1, 'the markup-named CA is the anchor of the extra store');
    const controls = await open('controls');
    t.deepEqual(controls.errors, []);
    t.is(controls.scripts, 0);
    t.is(controls.gaps.length, 1);
    t.true(controls.gaps[0]!.text.includes('\\x1b]0'), controls.gaps[0]!.text);
    t.notRegex(controls.gaps[0]!.text, /[\x07\x1b\u0080-\u009f\u202a-\u202e]/);
  },
);
