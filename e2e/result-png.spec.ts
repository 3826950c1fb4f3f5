/**
 * Results that remember how they were made: the downloaded PNG carries model, direction, z, seed
 * and crop (src/image/png-meta.ts); dropping it back restores them and says so; an altered record
 * is ignored with a notice and the file is loaded as a photo. Tiny model, wasm.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { readResultMeta } from '../src/image/png-meta';
import { asset } from './assets';
import { afterRender, logErrors, waitForModel, waitIdle, watchOrigin } from './helpers';

test('a downloaded result restores its settings when dropped back; a tampered one does not', async ({ page, context }, info) => {
  const watch = watchOrigin(context);
  logErrors(page);
  await page.goto('/?model=tiny&backend=wasm');
  await waitForModel(page, 'tiny');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await afterRender(page, () => page.getByTestId('reroll').click());
  await waitIdle(page);
  const made = await page.evaluate(() => {
    const s = window.__drit!.state();
    return { z: s.z, seed: s.seed, direction: s.direction };
  });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  const saved = info.outputPath('result.png');
  writeFileSync(saved, readFileSync(await download.path()));
  const read = readResultMeta(new Uint8Array(readFileSync(saved)));
  expect(read).toEqual({ status: 'ok', meta: { model: 'tiny', direction: made.direction, z: made.z, seed: made.seed } });

  // change everything, then drop the result back: settings return, the photo stays
  await afterRender(page, () => page.getByTestId('reroll').click());
  await page.getByTestId('direction').click();
  await waitIdle(page);
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(saved));
  const restored = await page.evaluate(() => {
    const s = window.__drit!.state();
    return { z: s.z, seed: s.seed, direction: s.direction, content: s.content?.name ?? null };
  });
  expect(restored).toEqual({ ...made, content: 'cat.png' });
  await expect(page.getByTestId('notice')).toContainText('Restored the settings result.png was made with');

  // a record whose bytes were altered: ignored with the reason, the file is loaded as a photo
  const tampered = new Uint8Array(readFileSync(saved));
  tampered[tampered.length - 20] = tampered[tampered.length - 20]! ^ 0xff;
  const bad = info.outputPath('tampered.png');
  writeFileSync(bad, tampered);
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(bad));
  await expect(page.getByTestId('notice')).toContainText('was ignored (its checksum does not match');
  expect(await page.evaluate(() => window.__drit!.state().content?.name)).toBe('tampered.png');
  expect(watch.foreign).toEqual([]);
});
