// SPDX-License-Identifier: GPL-2.0
// What speedscope shows for Trace Event Format files, read from the page
// in headless Chromium (playwright-core), for tests/host/browser_trace_event.sh.
//
//   node browser_trace_event.js PLAYWRIGHT_DIR SPEEDSCOPE_DIR {OUT TRACE PROFILE PNG}...
//
// One browser for every file (a Chromium start costs seconds), a fresh page
// each.  speedscope's own files and TRACE are served to the page from disk
// by request interception (no port, no network).  Writes one JSON object to
// OUT per TRACE: dialogs (speedscope alerts an import failure), warnings
// (its console warnings while importing, such as a slice ending out of
// order), loaded (the toolbar shows "(i/N)"), count N, profiles (the names
// its profile list shows), and with PROFILE (a name of that list; "" for
// none) the frames its Sandwich table lists for that profile (the rows in a
// 2400-pixel window); PNG ("" for none) gets a screenshot of PROFILE's
// time-order view.
'use strict';
const fs = require('fs');
const path = require('path');

const [pwDir, ssDir, ...jobArgs] = process.argv.slice(2);
const { chromium } = require(path.join(pwDir, 'node_modules', 'playwright-core'));
const dist = path.join(ssDir, 'node_modules', 'speedscope', 'dist', 'release');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
	'.wasm': 'application/wasm', '.json': 'application/json' };

// view(browser, TRACE, PROFILE, PNG): what speedscope shows of TRACE.
async function view(browser, trace, profile, png) {
	const out = { dialogs: [], warnings: [], errors: [], loaded: false, count: 0, profiles: [] };
	const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });

	try {
		page.on('dialog', (d) => { out.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
		page.on('pageerror', (e) => out.errors.push(e.message));
		page.on('console', (m) => {
			if (m.type() === 'warning' && !/WebGL|GL Driver/.test(m.text()))
				out.warnings.push(m.text().slice(0, 300));
		});
		await page.route('http://speedscope.test/**', (route) => {
			const p = new URL(route.request().url()).pathname;
			const f = p === '/trace.json' ? trace : path.join(dist, path.normalize(p));

			if (!f.startsWith(dist) && f !== trace || !fs.existsSync(f))
				return route.fulfill({ status: 404, body: 'not found' });
			return route.fulfill({ status: 200, body: fs.readFileSync(f),
				contentType: types[path.extname(f)] || 'application/octet-stream' });
		});
		await page.goto('http://speedscope.test/index.html#profileURL=' +
			encodeURIComponent('http://speedscope.test/trace.json'));
		const title = page.getByText(/\(\d+\/\d+\)$/).first();
		try {
			await title.waitFor({ timeout: 20000 });
			out.loaded = true;
		} catch (e) {
			out.errors.push('no profile shown after 20 s');
		}
		if (out.loaded) {
			out.title = (await title.innerText()).trim();
			out.count = Number(/\/(\d+)\)$/.exec(out.title)[1]);
			await title.click();
			await page.locator('tr[title]').first().waitFor({ timeout: 5000 });
			out.profiles = await page.$$eval('tr[title]', (rs) => rs.map((r) => r.getAttribute('title')));
			if (profile) {
				const row = page.locator(`tr[title="${profile.replace(/"/g, '\\"')}"]`);

				if (await row.count()) {
					await row.first().click();
					await page.waitForTimeout(300);
					out.selected = (await title.locator('xpath=..').innerText()).trim();
					if (png) {
						await page.waitForTimeout(700);
						await page.screenshot({ path: png });
					}
					// the Sandwich table draws the rows in view: make room for ~100
					await page.setViewportSize({ width: 1400, height: 2400 });
					await page.getByText('Sandwich').first().click();
					await page.waitForTimeout(700);
					out.frames = await page.$$eval('tr:not([title])', (rs) => rs
						.filter((r) => r.cells.length === 3 && r.cells[0].tagName === 'TD')
						.map((r) => r.cells[2].innerText.trim()));
				} else {
					out.errors.push(`no profile named '${profile}'`);
				}
			}
		}
	} catch (e) {
		out.errors.push(String(e.message || e).split('\n')[0]);
	} finally {
		await page.close().catch(() => {});
	}
	return out;
}

if (!jobArgs.length || jobArgs.length % 4) {
	process.stderr.write('usage: browser_trace_event.js PLAYWRIGHT_DIR SPEEDSCOPE_DIR {OUT TRACE PROFILE PNG}...\n');
	process.exit(2);
}

(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
	});

	try {
		for (let i = 0; i + 3 < jobArgs.length; i += 4) {
			const [out, trace, profile, png] = jobArgs.slice(i, i + 4);

			fs.writeFileSync(out, JSON.stringify(await view(browser, trace, profile, png)) + '\n');
		}
	} finally {
		await browser.close();
	}
})();
