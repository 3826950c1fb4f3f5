import { describe, expect, it } from 'vitest';
import { cameraErrorMessage, smoothFps } from './camera-status';

function domError(name: string, message = ''): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('cameraErrorMessage', () => {
  it('says permission was denied for NotAllowedError (what Chromium throws when the user blocks it)', () => {
    expect(cameraErrorMessage(domError('NotAllowedError', 'Permission denied'))).toMatch(/permission was denied/);
  });
  it('says no camera exists for NotFoundError and OverconstrainedError', () => {
    expect(cameraErrorMessage(domError('NotFoundError'))).toMatch(/No camera was found/);
    expect(cameraErrorMessage(domError('OverconstrainedError'))).toMatch(/No camera was found/);
  });
  it('names a busy camera', () => {
    expect(cameraErrorMessage(domError('NotReadableError'))).toMatch(/another application/);
  });
  it('keeps the reason of anything else', () => {
    expect(cameraErrorMessage(new TypeError('boom'))).toBe('The camera could not be started (boom).');
    expect(cameraErrorMessage('odd')).toBe('The camera could not be started (odd).');
  });
});

describe('smoothFps', () => {
  it('starts at the first frame rate and converges to a new steady rate', () => {
    let fps = smoothFps(null, 100);
    expect(fps).toBe(10);
    for (let i = 0; i < 40; i++) fps = smoothFps(fps, 50);
    expect(fps).toBeCloseTo(20, 3);
  });
  it('ignores intervals that are not positive and finite', () => {
    expect(smoothFps(12, 0)).toBe(12);
    expect(smoothFps(12, Number.NaN)).toBe(12);
    expect(smoothFps(null, Number.POSITIVE_INFINITY)).toBeNull();
  });
});
