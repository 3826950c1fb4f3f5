import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests: Debian's Chromium (real WebGPU on SwiftShader with --enable-unsafe-webgpu), or
 * Playwright's own Chromium where /usr/bin/chromium is absent. SwiftShader is a software adapter,
 * so the app's automatic choice runs on WebAssembly; the tests that need WebGPU ask for it with
 * `?backend=webgpu`. One worker: the machine has few cores and SwiftShader is CPU-bound.
 * `vite --mode e2e` serves the tiny test packs. Outside CI a server already listening on PORT /
 * PROD_PORT is reused as it is (reuseExistingServer): stop it, or pick other ports, after changes.
 */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PORT = Number(process.env.E2E_PORT ?? 5199);
/** The production build (vite build + vite preview), for a smoke test of what users get. */
const PROD_PORT = Number(process.env.E2E_PROD_PORT ?? 5198);
/** Where that build goes (e2e/production.spec.ts reads it); another folder lets two suites run side by side. */
const PROD_DIST = process.env.E2E_PROD_DIST ?? 'e2e/.packs/dist';
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
/** Written by the global setup (e2e/assets.ts); the launch only needs its path. */
const CAMERA_CLIP = resolve(import.meta.dirname, 'e2e/.packs/assets/chelsea.y4m');

/**
 * How long one piece of work may take: a model load with its shader warm-up, a conversion, a render.
 * On SwiftShader with other work on the 2 cores (the background training run, a second test
 * suite) a warm-up alone has taken minutes, so every wait (expect, action, waitForFunction) gets
 * this budget rather than an idle machine's timing; a test may take several pieces of work.
 */
const WORK_MS = Number(process.env.E2E_WORK_TIMEOUT_MS ?? 240_000);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 3 * WORK_MS,
  expect: { timeout: WORK_MS },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://localhost:${PORT}`,
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 900 },
    trace: 'off',
    actionTimeout: WORK_MS,
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /(no-webgpu|production|camera)\.spec\.ts/,
      use: { launchOptions: { ...(executablePath ? { executablePath } : {}), args: ['--enable-unsafe-webgpu', ...QUIET] } },
    },
    {
      // A fake camera that plays a clip of Chelsea (e2e/camera-video.ts, written by the global setup).
      name: 'camera',
      testMatch: /camera\.spec\.ts/,
      use: {
        permissions: ['camera'],
        launchOptions: {
          ...(executablePath ? { executablePath } : {}),
          args: [
            '--enable-unsafe-webgpu',
            '--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            `--use-file-for-fake-video-capture=${CAMERA_CLIP}`,
            ...QUIET,
          ],
        },
      },
    },
    {
      // Launched without the WebGPU flag: the app must fall back and say so.
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { ...(executablePath ? { executablePath } : {}), args: [...QUIET] } },
    },
    {
      name: 'production',
      testMatch: /production\.spec\.ts/,
      use: {
        baseURL: `http://localhost:${PROD_PORT}`,
        launchOptions: { ...(executablePath ? { executablePath } : {}), args: ['--enable-unsafe-webgpu', ...QUIET] },
      },
    },
  ],
  webServer: [
    {
      command: `npx vite --mode e2e --port ${PORT} --strictPort`,
      url: `http://localhost:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // A real production build (mode production: no test hooks); only the preview server runs in
      // e2e mode, which serves the test packs.
      command: `npx vite build --outDir ${PROD_DIST} --emptyOutDir --logLevel warn && npx vite preview --mode e2e --outDir ${PROD_DIST} --port ${PROD_PORT} --strictPort`,
      url: `http://localhost:${PROD_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
