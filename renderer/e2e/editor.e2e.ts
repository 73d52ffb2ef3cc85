// Editing in real Chromium against `peakline serve`: a planner opens the JSON editor, types a bad
// value and sees it marked at its line (and listed above the text), completes a field name from
// the schema, leaves a draft, switches tabs and reloads and finds it again, moves a slider and sees
// it in the draft (and, where the draft changed that field too, is asked which stands), asks for
// duration_s 1e9 and is asked before anything runs, and types a value a number field does not take.
// Screenshots go to renderer/e2e/screenshots/editor-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, shots, startServe, stop } from './harness';

let server: ChildProcess;
let home = '';
let profileDir = '';
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const editor = () => page.getByRole('textbox', { name: 'Scenario JSON' });
/** The rendered line of the editor holding `text`. */
const line = (text: string) => page.locator('.cm-line', { hasText: text });
const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `editor-${name}.png`), fullPage: false });
const seq = async () =>
  Number((await page.locator('.readout-p99 output').getAttribute('data-seq')) ?? 0);
/** Waits for a new full result after result number `after`. */
const resultAfter = (after: number) =>
  page.waitForFunction(
    (s) => {
      const out = document.querySelector('.readout-p99 output');
      return (
        Number(out?.getAttribute('data-seq') ?? 0) > s &&
        out?.getAttribute('data-provisional') === 'false'
      );
    },
    after,
    { timeout: 60_000 },
  );

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  home = mkdtempSync(path.join(tmpdir(), 'peakline-e2e-home-'));
  const started = await startServe({ ...process.env, PEAKLINE_HOME: home });
  server = started.proc;
  ({ ctx, profileDir } = await launchChromium());
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(started.url);
  await page.getByRole('slider', { name: 'Workers' }).waitFor();
  await resultAfter(0);
});

afterAll(async () => {
  await ctx?.close();
  await stop(server);
  for (const d of [home, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('editing the scenario in Chromium', () => {
  it('marks a bad value typed into the editor at its line, and lists it above the text', async () => {
    await page.getByRole('button', { name: 'Edit as JSON' }).click();
    await editor().waitFor();
    // the async seed, as the editor shows it: "workers": 10 on its own line
    const workersLine = line('"workers": 10');
    await workersLine.locator('.tok-number').dblclick();
    await page.keyboard.type('0');
    await expect.poll(() => line('"workers": 0').count()).toBe(1);
    // the underline sits on that line, on the value
    const mark = page.locator('.cm-lintRange-error');
    await expect.poll(() => mark.count()).toBe(1);
    expect(await mark.textContent()).toBe('0');
    expect(await mark.evaluate((el) => el.closest('.cm-line')?.textContent?.trim())).toBe(
      '"workers": 0,',
    );
    // and the list above the text names the same line and column
    // the cursor is on that line: its number is the active one in the gutter
    const lineNo = Number(await page.locator('.cm-lineNumbers .cm-activeLineGutter').textContent());
    const problems = page.locator('.editor-problems');
    await expect
      .poll(() => problems.textContent())
      .toBe(`The scenario has errorsline ${lineNo}, column 16 async.workers: must be >= 1 (got 0)`);
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    // the message is in view without scrolling: above the text, inside the window
    const box = await problems.boundingBox();
    expect(box!.y + box!.height).toBeLessThan(page.viewportSize()!.height);
    await mark.hover();
    await page.locator('.cm-tooltip-lint').waitFor();
    await shot('diagnostic');
    // undo the typing in the editor: valid again, no draft
    await editor().focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => problems.textContent()).toBe('');
    await expect.poll(() => page.locator('.editor-status').textContent()).toBe('Valid scenario');
  });

  it('completes a field name from the schema', async () => {
    // a new field in "server": after its opening brace
    const serverLine = line('"server": {');
    await serverLine.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"ho');
    const list = page.locator('.cm-tooltip-autocomplete');
    await list.waitFor();
    expect(await list.locator('li').allTextContents()).toEqual(['hoststring']);
    await shot('completion');
    await page.keyboard.press('Enter');
    await expect.poll(() => line('"host": ').count()).toBe(1);
    // a value for it is wrong without a "hosts" section: said at once
    await page.keyboard.type('"db1",');
    await expect
      .poll(() => page.locator('.editor-problems').textContent())
      .toMatch(/server\.host: no host named "db1" in "hosts"/);
    await page.getByRole('button', { name: 'Discard draft' }).click();
    await expect.poll(() => line('"host"').count()).toBe(0);
  });

  it('keeps a draft across a tab switch and a reload', async () => {
    const name = line('"name": "Seed: async');
    await name.click();
    await page.keyboard.press('End');
    // inside the closing quote and comma: before `",`
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' — my draft');
    await expect.poll(() => line('my draft').count()).toBe(1);
    await expect.poll(() => page.locator('.editor-foot').textContent()).toMatch(/^Draft kept/);
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByRole('tab', { name: 'Scenario' }).click();
    await expect.poll(() => line('my draft').count()).toBe(1);
    await page.reload();
    await editor().waitFor();
    await expect.poll(() => line('my draft').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(false);
    await shot('draft-after-reload');
  });

  it('shows a slider’s change in the draft, and asks which stands when both changed a field', async () => {
    const workers = page.getByRole('slider', { name: 'Workers' });
    await workers.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => line('"workers": 11').count()).toBe(1);
    await expect.poll(() => line('my draft').count()).toBe(1);
    const merged = page.locator('.draft-merged');
    await expect
      .poll(() => merged.textContent())
      .toMatch(/The draft took the change made outside it: async\.workers 10 → 11/);
    await shot('merged');

    // the draft changes the workers too, then the slider moves again
    await line('"workers": 11').locator('.tok-number').dblclick();
    await page.keyboard.type('13');
    await workers.focus();
    await page.keyboard.press('ArrowRight');
    const ask = page.locator('.draft-conflict');
    await ask.waitFor();
    expect(await ask.textContent()).toMatch(
      /The scenario changed outside the editor \(async\.workers 11 → 12\) where your draft changes it too\. Which one stands\?/,
    );
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    expect(await line('"workers": 13').count()).toBe(1);
    await shot('conflict');
    // keep my draft, apply it: 13 workers, my name, on purpose
    await page.getByRole('button', { name: 'Keep my draft' }).click();
    const before = await seq();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => workers.inputValue()).toBe('13');
    await expect.poll(() => page.locator('.scenario-name').textContent()).toMatch(/my draft/);
    await resultAfter(before);
    await expect.poll(() => page.locator('.editor-foot').textContent()).toMatch(/^No changes/);
  });

  it('asks before a run of duration_s 1e9, and runs nothing until told', async () => {
    await editor().focus();
    await page.keyboard.press('Control+Home');
    await line('"duration_s"').locator('.tok-number').dblclick();
    await page.keyboard.type('1e9');
    await page.getByRole('button', { name: 'Apply' }).click();
    const ask = page.getByRole('alertdialog', { name: 'This run would be long' });
    await ask.waitFor();
    expect(await ask.textContent()).toMatch(
      /It would simulate about [\d.]+T requests \([\d.]+K req\/s for 1B s simulated\), about [\d.]+T events: roughly [\d,]+ (days|years) here\. Nothing runs until you say so\./,
    );
    expect(await page.getByRole('progressbar', { name: 'Simulation progress' }).count()).toBe(0);
    await shot('long-run-ask');
    const before = await seq();
    await page.getByRole('button', { name: 'Shorten to 60 s' }).click();
    await resultAfter(before);
    expect(await ask.count()).toBe(0);
    expect(await line('"duration_s": 60').count()).toBe(1);
  });

  it('says why a number field does not take a value, and what it did take past the slider', async () => {
    const field = page.getByRole('spinbutton', { name: 'Workers value' });
    await field.fill('2.5');
    const control = page.locator('.control', { has: field });
    await expect
      .poll(() => control.getByRole('alert').textContent())
      .toBe('Workers must be a whole number.');
    await page.keyboard.press('Tab');
    await expect
      .poll(() => control.getByRole('alert').textContent())
      .toBe('Workers must be a whole number. Not applied: Workers stays 13.');
    expect(await field.inputValue()).toBe('13');
    await shot('field-rejected');
    await field.fill('500');
    await expect
      .poll(() => control.locator('.control-beyond').textContent())
      .toBe('500 is past the slider’s range (1–200): taken as typed.');
    await expect.poll(() => line('"workers": 500').count()).toBe(1);
    await shot('field-beyond');
  });

  it('reads in 简体中文', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await expect.poll(() => page.locator('.editor-head h2').textContent()).toBe('场景 JSON');
    await line('"workers": 500').locator('.tok-number').dblclick();
    await page.keyboard.type('0');
    await expect
      .poll(() => page.locator('.editor-problems').textContent())
      .toMatch(/第 \d+ 行，第 16 列/);
    await shot('zh');
    await page.getByRole('button', { name: '丢弃草稿' }).click();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});
