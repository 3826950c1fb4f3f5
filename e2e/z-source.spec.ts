/**
 * Where z comes from: N(0, I) by default (chosen from evidence, docs/experiments.md), or the target
 * photos' spread from the pack's statistics ('tiny-stats', e2e/directions-setup.ts). The choice is
 * offered only when the pack has statistics of the target domain; a re-roll and the grid then draw
 * the same seeded numbers through the photos' Gaussian (src/drit/random.ts, as the CLI's
 * --z-source photos). On wasm.
 */
import { expect, test } from '@playwright/test';
import { sampleFromPhotos, sampleNormal } from '../src/drit/random';
import type { AttributeStats } from '../src/pack/manifest';
import { asset } from './assets';
import { afterRender, logErrors, waitForModel, waitIdle, watchOrigin } from './helpers';

test('z from N(0, I) by default, from the photos\' spread when chosen, with the same seeds', async ({ page, context }) => {
  const watch = watchOrigin(context);
  logErrors(page);
  await page.goto('/?model=tiny-stats&backend=wasm');
  await waitForModel(page, 'tiny-stats');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  const choice = page.getByTestId('z-source');
  await expect(choice).toHaveValue('normal');
  const state = () => page.evaluate(() => {
    const s = window.__drit!.state();
    return { z: s.z, seed: s.seed, grid: s.grid?.zs ?? null, gridSeed: s.grid?.seed ?? null, stats: (s.model?.attributeStats?.[s.direction === 'a2b' ? 'b' : 'a'] ?? null) as AttributeStats | null };
  });
  const close = (a: readonly number[], b: ArrayLike<number>) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);

  await afterRender(page, () => page.getByTestId('reroll').click());
  let s = await state();
  expect(close(s.z, sampleNormal(s.seed, 1, s.z.length))).toBe(true);

  await afterRender(page, () => choice.selectOption('photos'));
  await waitIdle(page);
  s = await state();
  expect(s.stats).not.toBeNull();
  const nz = s.z.length;
  expect(close(s.z, sampleFromPhotos(s.seed, 1, nz, s.stats!))).toBe(true);
  expect(s.grid, 'an open grid is renewed from the photos too').not.toBeNull();
  const flat = sampleFromPhotos(s.gridSeed!, s.grid!.length, nz, s.stats!);
  s.grid!.forEach((row, i) => expect(close(row, flat.subarray(i * nz, (i + 1) * nz))).toBe(true));

  await afterRender(page, () => page.getByTestId('reroll').click());
  s = await state();
  expect(close(s.z, sampleFromPhotos(s.seed, 1, nz, s.stats!))).toBe(true);

  await afterRender(page, () => choice.selectOption('normal'));
  s = await state();
  expect(close(s.z, sampleNormal(s.seed, 1, nz))).toBe(true);
  expect(watch.foreign).toEqual([]);
});

test('a pack without statistics offers no choice of source', async ({ page }) => {
  logErrors(page);
  await page.goto('/?model=tiny&backend=wasm');
  await waitForModel(page, 'tiny');
  await expect(page.getByTestId('reroll')).toBeEnabled();
  await expect(page.getByTestId('z-source')).toHaveCount(0);
});
