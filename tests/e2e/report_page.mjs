// Opens an `importwarden report` HTML page in Debian's Chromium (playwright-core, the copy
// scripts/setup-vscode-e2e installs for the VS Code e2e) and prints one JSON object: what the
// page shows (chart size, axis labels, the plotted values, the table) and every request made.
//   node report_page.mjs --page FILE.html --screenshot FILE.png [--chromium PATH]
import { createRequire } from 'node:module';

const require = createRequire(new URL('./vscode/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];

const browser = await chromium.launch({
  executablePath: args.chromium ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${args.page}`);
  await page.waitForSelector('svg#chart');
  const shown = await page.evaluate(() => {
    const svg = document.querySelector('svg#chart');
    const box = svg.getBoundingClientRect();
    const series = {};
    for (const g of svg.querySelectorAll('g.series')) {
      const line = g.querySelector('polyline');
      series[g.dataset.code] = {
        values: [...g.querySelectorAll('circle')].map((c) => Number(c.dataset.value)),
        commits: [...g.querySelectorAll('circle')].map((c) => c.dataset.commit),
        length: line.getTotalLength(),
        stroke: getComputedStyle(line).stroke,
      };
    }
    const head = [...document.querySelectorAll('#rows thead th')].map((th) => th.textContent);
    const rows = [...document.querySelectorAll('#rows tbody tr')].map((tr) => ({
      commit: tr.dataset.commit,
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    }));
    return {
      width: box.width,
      height: box.height,
      xLabel: document.querySelector('#x-label')?.textContent,
      yLabel: document.querySelector('#y-label')?.textContent,
      yTicks: [...svg.querySelectorAll('.y-tick')].map((t) => t.textContent),
      xTicks: [...svg.querySelectorAll('.x-tick')].map((t) => t.textContent),
      series,
      head,
      rows,
    };
  });
  await page.screenshot({ path: args.screenshot, fullPage: true });
  console.log(JSON.stringify({ ...shown, requests }));
} finally {
  await browser.close();
}
