/**
 * Output actions: download and copy the translation on screen (the live camera's frame while it
 * runs, else the photo's), and the share link (model, direction, z, seed — never the image).
 */
import { copyFrameToClipboard, downloadBlob } from '../frames';
import { resultPng } from '../result-png';
import { getState, setState, type AppState } from '../store';
import { shareUrl } from '../url';

/** The translation on screen: the live camera's frame while it runs, else the photo's. */
function shownOutput(): AppState['output'] {
  const s = getState();
  return s.camera.status !== 'off' ? s.camera.output : s.output;
}

export async function downloadOutput(): Promise<void> {
  const out = shownOutput();
  if (!out) return;
  downloadBlob(await resultPng(out), 'drit-output.png');
}

export async function copyOutput(): Promise<void> {
  const out = shownOutput();
  if (!out) return;
  try {
    await copyFrameToClipboard(out);
    setState({ notice: 'Image copied to the clipboard.' });
  } catch (e) {
    setState({ error: `Copying failed: ${(e as Error).message}` });
  }
}

export function currentShareUrl(): string | null {
  const s = getState();
  if (!s.modelId || s.z.length === 0) return null;
  return shareUrl({ model: s.modelId, direction: s.direction, z: s.z, seed: s.seed });
}

export async function copyShareLink(): Promise<void> {
  const url = currentShareUrl();
  if (!url) return;
  history.replaceState(history.state, '', url);
  try {
    await navigator.clipboard.writeText(url);
    setState({ notice: 'Share link copied (it holds the model, direction and z — not your image).' });
  } catch {
    setState({ notice: `Share link: ${url}` });
  }
}
